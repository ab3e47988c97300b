// Names that users write (keys, diseases, factors, categories, kinds, methods) looked up in the
// lists a file, a model or a registry allows: one rule for "did you mean" and one message for a
// name that is not there, so that every input error reads the same way.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace healthcast {

// Levenshtein distance between two words.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The allowed name nearest to `word` when it is close enough to be a slip (within a third of
// the word's length, at least 2 edits; the same letters in another order count as nearest: "=>"
// means ">="); empty otherwise.
std::string nearest_name(std::string_view word, const std::vector<std::string>& allowed);

// "; did you mean 'x'?" for the nearest allowed name, or "" when none is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& allowed);

// Position of `name` in `names`.
std::optional<std::size_t> find_name(const std::vector<std::string>& names, std::string_view name);

// "'x' is not <what>; <label>: a, b, c" with "; did you mean 'y'?" when one is close: the
// message for a name that `names` lacks (e.g. what = "a disease of the health model",
// label = "diseases").
std::string unknown_name(std::string_view name, std::string_view what, std::string_view label,
                         const std::vector<std::string>& names);

}  // namespace healthcast
