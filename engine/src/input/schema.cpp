#include "healthcast/input/schema.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "healthcast/error.h"
#include "healthcast/names.h"

namespace healthcast::input {

// ordered_json keeps the schema's key order, so that allowed keys are listed as written.
using json = nlohmann::ordered_json;

struct Schema::Impl {
  json root;
};

namespace {

// ---- the subset of JSON Schema this checker understands -----------------------------------

// Longest text a pattern is matched against (std::regex recurses per character).
constexpr std::size_t MAX_PATTERN_TEXT = 1000;

const std::set<std::string> ANNOTATIONS = {"$schema",     "$id",     "$comment", "title",
                                           "description", "default", "examples", "$defs"};
const std::set<std::string> KEYWORDS = {"type",
                                        "enum",
                                        "const",
                                        "minimum",
                                        "maximum",
                                        "exclusiveMinimum",
                                        "exclusiveMaximum",
                                        "pattern",
                                        "minLength",
                                        "maxLength",
                                        "properties",
                                        "required",
                                        "additionalProperties",
                                        "items",
                                        "minItems",
                                        "maxItems",
                                        "$ref",
                                        "allOf",
                                        "anyOf",
                                        "oneOf",
                                        "if",
                                        "then",
                                        "else",
                                        "x-not-before",
                                        "x-pattern-meaning"};

void fail_schema(const std::string& where, const std::string& problem) {
  throw Error(fmt::format("schema error at {}: {}", where.empty() ? "/" : where, problem));
}

// Rejects keywords outside the subset, and $refs that do not point into $defs.
void check_subset(const json& root, const json& s, const std::string& where) {
  if (s.is_boolean()) return;
  if (!s.is_object()) fail_schema(where, "a schema is an object or a boolean");
  for (const auto& [key, value] : s.items()) {
    if (ANNOTATIONS.count(key) == 0 && KEYWORDS.count(key) == 0)
      fail_schema(where, fmt::format("keyword '{}' is not supported by healthcast's checker", key));
  }
  if (s.contains("additionalProperties") && s["additionalProperties"] != json(false))
    fail_schema(where, "only 'additionalProperties: false' is supported");
  if (s.contains("$ref")) {
    const auto ref = s["$ref"].get<std::string>();
    const std::string prefix = "#/$defs/";
    if (ref.rfind(prefix, 0) != 0 || !root.contains("$defs") ||
        !root["$defs"].contains(ref.substr(prefix.size())))
      fail_schema(where, fmt::format("$ref '{}' does not name an entry of $defs", ref));
  }
  for (const char* key : {"properties", "$defs"})
    if (s.contains(key))
      for (const auto& [name, sub] : s[key].items())
        check_subset(root, sub, fmt::format("{}/{}/{}", where, key, name));
  for (const char* key : {"items", "if", "then", "else"})
    if (s.contains(key)) check_subset(root, s[key], fmt::format("{}/{}", where, key));
  for (const char* key : {"allOf", "anyOf", "oneOf"})
    if (s.contains(key))
      for (std::size_t i = 0; i < s[key].size(); ++i)
        check_subset(root, s[key][i], fmt::format("{}/{}/{}", where, key, i));
}

// ---- YAML values seen as JSON values -------------------------------------------------------

enum class Type { null, boolean, integer, number, string, array, object };

struct Value {
  Type type = Type::null;
  double number = 0.0;  // integer and number
  bool boolean = false;
};

// Whether a plain scalar reads as an integer ([-+]?[0-9]+), a number
// ([-+]?([0-9]+.?[0-9]*|.[0-9]+)([eE][-+]?[0-9]+)?) or text. A loop, not std::regex, which
// recurses once per character and overflowed the stack on long scalars.
Type numeric_kind(std::string_view s) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - from;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  const std::size_t whole = digits();
  if (i == s.size()) return whole > 0 ? Type::integer : Type::string;
  std::size_t fraction = 0;
  if (s[i] == '.') {
    ++i;
    fraction = digits();
  }
  if (whole == 0 && fraction == 0) return Type::string;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return Type::string;
  }
  return i == s.size() ? Type::number : Type::string;
}

Value value_of(const YAML::Node& node) {
  Value v;
  if (!node.IsDefined() || node.IsNull()) return v;
  if (node.IsSequence()) return v.type = Type::array, v;
  if (node.IsMap()) return v.type = Type::object, v;
  v.type = Type::string;
  if (node.Tag() != "?") return v;  // quoted, block or explicitly tagged: text
  const std::string& s = node.Scalar();
  static const std::set<std::string> TRUE = {"true", "True", "TRUE", "yes", "Yes",
                                             "YES",  "on",   "On",   "ON"};
  static const std::set<std::string> FALSE = {"false", "False", "FALSE", "no", "No",
                                              "NO",    "off",   "Off",   "OFF"};
  if (TRUE.count(s) || FALSE.count(s)) {
    v.type = Type::boolean;
    v.boolean = TRUE.count(s) > 0;
    return v;
  }
  const Type kind = numeric_kind(s);
  if (kind == Type::string) return v;
  v.type = kind;
  v.number = std::strtod(s.c_str(), nullptr);
  return v;
}

std::string type_word(const std::string& type) {
  if (type == "object") return "a mapping (key: value)";
  if (type == "array") return "a list";
  if (type == "string") return "text";
  if (type == "integer") return "a whole number";
  if (type == "number") return "a number";
  if (type == "boolean") return "true or false";
  return "nothing (null)";
}

std::string shown(const YAML::Node& node, const Value& v) {
  switch (v.type) {
    case Type::null:
      return "nothing (an empty value)";
    case Type::array:
      return "a list";
    case Type::object:
      return "a mapping";
    default:
      return printable(node.Scalar());
  }
}

std::string number_text(const json& j) {
  if (j.is_number_integer()) return std::to_string(j.get<long long>());
  return fmt::format("{}", j.get<double>());
}

std::string json_text(const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

std::string quoted_list(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + fmt::format("'{}'", item);
  return out;
}

// "; allowed: a, b" or "; did you mean 'a'? Allowed: a, b".
std::string allowed_values(const std::string& word, const std::vector<std::string>& allowed,
                           const std::string& what = "allowed") {
  const std::string hint = did_you_mean(word, allowed);
  const std::string list = fmt::format("{}", fmt::join(allowed, ", "));
  if (hint.empty()) return fmt::format("; {}: {}", what, list);
  std::string capital = what;
  capital[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(capital[0])));
  return fmt::format("{} {}: {}", hint, capital, list);
}

bool type_fits(const std::string& type, const Value& v) {
  switch (v.type) {
    case Type::null:
      return type == "null";
    case Type::boolean:
      return type == "boolean";
    case Type::integer:
      return type == "integer" || type == "number";
    case Type::number:
      return type == "number" || (type == "integer" && v.number == std::floor(v.number));
    case Type::string:
      return type == "string";
    case Type::array:
      return type == "array";
    case Type::object:
      return type == "object";
  }
  return false;
}

std::vector<std::string> types_of(const json& s) {
  if (!s.contains("type")) return {};
  if (s["type"].is_string()) return {s["type"].get<std::string>()};
  return s["type"].get<std::vector<std::string>>();
}

bool equals(const json& expected, const YAML::Node& node, const Value& v) {
  if (expected.is_string()) return v.type == Type::string && node.Scalar() == expected;
  if (expected.is_boolean()) return v.type == Type::boolean && v.boolean == expected.get<bool>();
  if (expected.is_number())
    return (v.type == Type::integer || v.type == Type::number) &&
           v.number == expected.get<double>();
  return expected.is_null() && v.type == Type::null;
}

// The values a schema allows for one property by const or enum; empty when it fixes none.
std::vector<json> fixed_values(const json& s) {
  if (s.contains("const")) return {s["const"]};
  if (s.contains("enum")) return s["enum"].get<std::vector<json>>();
  return {};
}

std::string child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// "from 1950 to 2150", "0 or more", "more than 0", ...; empty without bounds.
std::string range_text(const json& s) {
  std::string low, high;
  if (s.contains("minimum")) low = number_text(s["minimum"]);
  if (s.contains("exclusiveMinimum")) low = "more than " + number_text(s["exclusiveMinimum"]);
  if (s.contains("maximum")) high = number_text(s["maximum"]);
  if (s.contains("exclusiveMaximum")) high = "less than " + number_text(s["exclusiveMaximum"]);
  if (!low.empty() && !high.empty()) return fmt::format("{} to {}", low, high);
  if (!low.empty()) return s.contains("minimum") ? low + " or more" : low;
  if (!high.empty()) return s.contains("maximum") ? "up to " + high : high;
  return "";
}

bool in_range(const json& s, double x) {
  if (s.contains("minimum") && x < s["minimum"].get<double>()) return false;
  if (s.contains("maximum") && x > s["maximum"].get<double>()) return false;
  if (s.contains("exclusiveMinimum") && x <= s["exclusiveMinimum"].get<double>()) return false;
  if (s.contains("exclusiveMaximum") && x >= s["exclusiveMaximum"].get<double>()) return false;
  return true;
}

// ---- the checker ---------------------------------------------------------------------------

struct Problem {
  YAML::Mark mark;
  std::string path;
  std::string message;
};
using Result = std::optional<Problem>;

class Checker {
 public:
  explicit Checker(const json& root) : root_(root) {}

  // `context` names the alternative chosen by a discriminator, e.g. "kind 'incidence'".
  Result check(const YAML::Node& node, const json& s, const std::string& path,
               const std::string& context) const {
    if (s.is_boolean())
      return s.get<bool>() ? Result{} : problem(node, path, "no value is allowed here");
    if (s.contains("$ref"))
      if (auto p = check(node, deref(s), path, context)) return p;
    const Value v = value_of(node);
    if (auto p = check_value(node, v, s, path)) return p;
    if (v.type == Type::array)
      if (auto p = check_array(node, s, path)) return p;
    if (v.type == Type::object)
      if (auto p = check_object(node, s, path, context)) return p;
    return check_combinations(node, v, s, path, context);
  }

 private:
  const json& root_;

  const json& deref(const json& s) const {
    const auto name = s["$ref"].get<std::string>().substr(std::string("#/$defs/").size());
    return root_["$defs"][name];
  }

  // Follows $refs that stand alone, to see an alternative's type and properties.
  const json& resolved(const json& s) const {
    const json* r = &s;
    while (r->is_object() && r->contains("$ref") && !r->contains("type")) r = &deref(*r);
    return *r;
  }

  static Problem problem(const YAML::Node& node, const std::string& path, std::string message) {
    return {node.Mark(), path, std::move(message)};
  }

  // type, const, enum, numeric range, string length and pattern.
  Result check_value(const YAML::Node& node, const Value& v, const json& s,
                     const std::string& path) const {
    const auto types = types_of(s);
    if (!types.empty() &&
        std::none_of(types.begin(), types.end(), [&](const auto& t) { return type_fits(t, v); })) {
      std::vector<std::string> words;
      for (const auto& t : types) words.push_back(type_word(t));
      std::string expected = fmt::format("{}", fmt::join(words, ", "));
      const std::string range = range_text(s);
      if (!range.empty()) expected += " from " + range;
      return problem(node, path, fmt::format("expected {}, got {}", expected, shown(node, v)));
    }
    if (s.contains("const") && !equals(s["const"], node, v))
      return problem(node, path,
                     fmt::format("{} is not allowed; the only allowed value is {}", shown(node, v),
                                 json_text(s["const"])));
    if (s.contains("enum")) {
      const auto& options = s["enum"];
      if (std::none_of(options.begin(), options.end(),
                       [&](const json& o) { return equals(o, node, v); })) {
        std::vector<std::string> names;
        for (const auto& o : options) names.push_back(json_text(o));
        return problem(node, path,
                       fmt::format("{} is not allowed{}", shown(node, v),
                                   allowed_values(node.IsScalar() ? node.Scalar() : "", names)));
      }
    }
    if ((v.type == Type::integer || v.type == Type::number) && !in_range(s, v.number))
      return problem(node, path,
                     fmt::format("{} is out of range; allowed: {}", node.Scalar(), range_text(s)));
    if (v.type == Type::string) {
      const std::string& text = node.Scalar();
      if (s.contains("minLength") && text.size() < s["minLength"].get<std::size_t>())
        return problem(node, path,
                       fmt::format("{} is too short; at least {} character(s) are needed",
                                   printable(text), s["minLength"].get<std::size_t>()));
      // Before any pattern: std::regex recurses per character.
      std::size_t longest = s.value("maxLength", std::size_t(-1));
      if (s.contains("pattern")) longest = std::min(longest, MAX_PATTERN_TEXT);
      if (text.size() > longest)
        return problem(node, path,
                       fmt::format("{} is too long ({} characters); at most {} are allowed",
                                   printable(text, 40), text.size(), longest));
      if (s.contains("pattern")) {
        const auto pattern = s["pattern"].get<std::string>();
        if (!std::regex_search(text, std::regex(pattern))) {
          const std::string meaning = s.contains("x-pattern-meaning")
                                          ? s["x-pattern-meaning"].get<std::string>() + " "
                                          : std::string();
          return problem(node, path,
                         fmt::format("{} is not allowed; use {}(pattern {})", printable(text),
                                     meaning, pattern));
        }
      }
    }
    return {};
  }

  Result check_array(const YAML::Node& node, const json& s, const std::string& path) const {
    const std::size_t n = node.size();
    const auto low = s.value("minItems", std::size_t{0});
    const auto high = s.value("maxItems", std::size_t(-1));
    if (n < low || n > high) {
      const std::string want = low == high ? fmt::format("exactly {}", low)
                               : n < low   ? fmt::format("at least {}", low)
                                           : fmt::format("at most {}", high);
      return problem(node, path, fmt::format("expected a list of {} item(s), got {}", want, n));
    }
    if (s.contains("items"))
      for (std::size_t i = 0; i < n; ++i)
        if (auto p = check(node[i], s["items"], fmt::format("{}[{}]", path, i), "")) return p;
    return {};
  }

  Result check_object(const YAML::Node& node, const json& s, const std::string& path,
                      const std::string& context) const {
    const json no_properties = json::object();
    const json& properties = s.contains("properties") ? s["properties"] : no_properties;
    std::vector<std::string> allowed;
    for (const auto& [key, sub] : properties.items()) allowed.push_back(key);

    std::set<std::string> seen;
    for (const auto& entry : node) {
      const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "?";
      if (!seen.insert(key).second)
        return Problem{entry.first.Mark(), child(path, key),
                       fmt::format("key '{}' is given twice", key)};
      if (s.contains("additionalProperties") && !properties.contains(key)) {
        const std::string where =
            path.empty() ? "at the top level"
                         : fmt::format("in '{}'{}", path,
                                       context.empty() ? "" : fmt::format(" ({})", context));
        const std::string hint = did_you_mean(key, allowed);
        return Problem{
            entry.first.Mark(), child(path, key),
            fmt::format("unknown key {}{} Allowed keys: {}", where,
                        hint.empty() ? std::string(".") : hint, fmt::join(allowed, ", "))};
      }
    }
    if (s.contains("required")) {
      const auto required = s["required"].get<std::vector<std::string>>();
      for (const auto& key : required)
        if (!node[key]) {
          const std::string needs =
              context.empty() ? ""
                              : fmt::format(" ({} needs: {})", context, fmt::join(required, ", "));
          return problem(node, child(path, key),
                         fmt::format("required key '{}' is missing{}", key, needs));
        }
    }
    for (const auto& entry : node) {
      const std::string key = entry.first.Scalar();
      if (properties.contains(key))
        if (auto p = check(entry.second, properties[key], child(path, key), "")) return p;
    }
    if (s.contains("x-not-before"))
      for (const auto& [key, other] : s["x-not-before"].items()) {
        const YAML::Node later = node[key], earlier = node[other.get<std::string>()];
        if (!later || !earlier) continue;
        const Value a = value_of(later), b = value_of(earlier);
        if (a.type != Type::integer || b.type != Type::integer || a.number >= b.number) continue;
        // The upper end of the allowed range is the field's own maximum, if any.
        std::string upper = " or later";
        if (s.contains("properties") && s["properties"].contains(key)) {
          const json& own = resolved(s["properties"][key]);
          if (own.contains("maximum")) upper = " to " + number_text(own["maximum"]);
        }
        return problem(
            later, child(path, key),
            fmt::format("{} is before '{}' ({}); allowed: {}{}", later.Scalar(),
                        other.get<std::string>(), earlier.Scalar(), earlier.Scalar(), upper));
      }
    return {};
  }

  Result check_combinations(const YAML::Node& node, const Value& v, const json& s,
                            const std::string& path, const std::string& context) const {
    if (s.contains("allOf"))
      for (const auto& sub : s["allOf"])
        if (auto p = check(node, sub, path, context)) return p;
    if (s.contains("if")) {
      const bool holds = !check(node, s["if"], path, context);
      const char* branch = holds ? "then" : "else";
      if (s.contains(branch))
        if (auto p = check(node, s[branch], path, context)) {
          if (s[branch].contains("description"))
            p->message += fmt::format(" ({})", s[branch]["description"].get<std::string>());
          return p;
        }
    }
    for (const char* key : {"anyOf", "oneOf"})
      if (s.contains(key))
        if (auto p = choose(node, v, s[key], path, context, std::string(key) == "oneOf")) return p;
    return {};
  }

  // The property every alternative fixes by const or enum and requires (e.g. `kind`).
  std::optional<std::string> discriminator(const std::vector<const json*>& alternatives) const {
    const json& first = *alternatives.front();
    if (!first.contains("properties")) return std::nullopt;
    for (const auto& item : first["properties"].items()) {
      const std::string& key = item.key();  // a named variable: clang 14 cannot capture bindings
      const bool fixes_it = std::all_of(alternatives.begin(), alternatives.end(), [&](auto* a) {
        if (!a->contains("properties") || !(*a)["properties"].contains(key)) return false;
        const auto required = a->value("required", std::vector<std::string>{});
        return !fixed_values((*a)["properties"][key]).empty() &&
               std::find(required.begin(), required.end(), key) != required.end();
      });
      if (fixes_it) return key;
    }
    return std::nullopt;
  }

  Result choose(const YAML::Node& node, const Value& v, const json& options,
                const std::string& path, const std::string& context, bool exactly_one) const {
    std::vector<const json*> alternatives;
    for (const auto& o : options) alternatives.push_back(&o);

    std::vector<const json*> shapes;  // the alternatives with their $refs followed
    for (auto* a : alternatives) shapes.push_back(&resolved(*a));
    if (v.type == Type::object)
      if (auto key = discriminator(shapes))
        return choose_by(node, *key, alternatives, shapes, path);

    std::vector<std::size_t> fitting;
    std::vector<std::string> expected;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      const auto types = types_of(*shapes[i]);
      for (const auto& t : types) expected.push_back(type_word(t));
      if (types.empty() ||
          std::any_of(types.begin(), types.end(), [&](const auto& t) { return type_fits(t, v); }))
        fitting.push_back(i);
    }
    if (fitting.empty())
      return problem(node, path,
                     fmt::format("expected {}, got {}", fmt::join(expected, ", "), shown(node, v)));
    if (fitting.size() == 1) return check(node, *alternatives[fitting[0]], path, context);

    // Alternatives that each only require one key: "exactly one of" (oneOf) or "one of" (anyOf).
    const bool only_required = std::all_of(fitting.begin(), fitting.end(), [&](std::size_t i) {
      const json& a = *shapes[i];
      return a.is_object() && a.contains("required") && a["required"].size() == 1 &&
             std::all_of(a.items().begin(), a.items().end(), [](const auto& item) {
               return item.key() == "required" || ANNOTATIONS.count(item.key()) > 0;
             });
    });
    if (only_required && v.type == Type::object) {
      std::vector<std::string> keys, present;
      for (std::size_t i : fitting) {
        keys.push_back((*shapes[i])["required"][0].get<std::string>());
        if (node[keys.back()]) present.push_back(keys.back());
      }
      const std::string in_context = context.empty() ? "" : fmt::format(" ({})", context);
      if (present.empty())
        return problem(node, path,
                       fmt::format("one of {} is required{}", quoted_list(keys, ", "), in_context));
      if (exactly_one && present.size() > 1)
        return problem(node[present[1]], child(path, present[1]),
                       fmt::format("give only one of {}{}; found {}", quoted_list(keys, ", "),
                                   in_context, quoted_list(present, " and ")));
      return {};
    }

    Result first;
    std::size_t passed = 0;
    for (std::size_t i : fitting) {
      auto p = check(node, *alternatives[i], path, context);
      if (!p)
        ++passed;
      else if (!first)
        first = std::move(p);
    }
    if (passed == 0) return first;
    if (exactly_one && passed > 1)
      return problem(node, path, "the value fits more than one of the allowed forms");
    return {};
  }

  // The alternative whose `key` matches the value's; an unknown value lists the allowed ones.
  Result choose_by(const YAML::Node& node, const std::string& key,
                   const std::vector<const json*>& alternatives,
                   const std::vector<const json*>& shapes, const std::string& path) const {
    std::vector<std::string> names;
    for (auto* shape : shapes)
      for (const auto& value : fixed_values((*shape)["properties"][key]))
        names.push_back(json_text(value));
    const YAML::Node given = node[key];
    if (!given)
      return problem(node, child(path, key),
                     fmt::format("required key '{}' is missing; allowed {}s: {}", key, key,
                                 fmt::join(names, ", ")));
    const Value v = value_of(given);
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      const auto values = fixed_values((*shapes[i])["properties"][key]);
      if (std::any_of(values.begin(), values.end(),
                      [&](const json& x) { return equals(x, given, v); }))
        return check(node, *alternatives[i], path, fmt::format("{} '{}'", key, given.Scalar()));
    }
    return problem(given, child(path, key),
                   fmt::format("unknown {} {}{}", key, shown(given, v),
                               allowed_values(given.IsScalar() ? given.Scalar() : "", names,
                                              fmt::format("allowed {}s", key))));
  }
};

}  // namespace

Schema Schema::parse(std::string_view json_text) {
  auto impl = std::make_shared<Impl>();
  try {
    impl->root = json::parse(json_text.begin(), json_text.end());
  } catch (const json::parse_error& e) {
    throw Error(fmt::format("schema is not valid JSON: {}", e.what()));
  }
  check_subset(impl->root, impl->root, "");
  return Schema(std::move(impl));
}

void Schema::check(const YAML::Node& node, const YamlReader& reader) const {
  const Checker checker(impl_->root);
  if (auto p = checker.check(node, impl_->root, "", "")) {
    // An empty document has no position; its problem is at the start of the file.
    const int line = p->mark.line >= 0 ? p->mark.line + 1 : 1;
    const int column = p->mark.column >= 0 ? p->mark.column + 1 : 1;
    throw InputError({reader.file(), line, column}, p->path, p->message);
  }
}

const Schema& scenario_schema() {
  // Parsed once; a static local is initialised thread-safely and never changes afterwards.
  static const Schema schema = Schema::parse(scenario_schema_text());
  return schema;
}

void check_scenario_schema(const YAML::Node& root, const YamlReader& reader) {
  scenario_schema().check(root, reader);
}

}  // namespace healthcast::input
