// Checking YAML input against a JSON Schema, with errors that name the file, line, column and
// field path, the value found and what is allowed. The scenario format's schema
// (scenarios/schema/scenario.schema.json) is embedded in the library at build time.
#pragma once

#include <memory>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "healthcast/input/yaml.h"

namespace healthcast::input {

// A JSON Schema (draft 2020-12) restricted to the keywords the scenario format uses:
//   type, enum, const, minimum, maximum, exclusiveMinimum, exclusiveMaximum, pattern, minLength,
//   properties, required, additionalProperties (false only), items, minItems, maxItems,
//   $ref (to "#/$defs/..."), allOf, anyOf, oneOf, if/then/else,
// plus two extensions that other validators ignore:
//   "x-not-before": {"full": "start"} on an object: when both keys are present, the first is
//     not smaller than the second (full effect not before the start);
//   "x-pattern-meaning": words for `pattern`, used in messages.
// Annotations (description, title, $schema, $id, $comment, default, examples) are ignored. A
// schema with any other keyword is rejected, so that it cannot silently ask for more than this
// checker does.
//
// YAML scalars take JSON types as YAML 1.1 resolves them (PyYAML, which the Python side uses):
// quoted or block scalars are strings; plain ones are null, booleans, integers or numbers when
// they read as such, and strings otherwise.
//
// oneOf/anyOf: the alternatives whose `type` fits the value are tried; when every alternative
// fixes one property by const or enum (an intervention's `kind`), the one that matches is
// checked alone, so that its errors (an unknown key, a missing key) are reported, and a value
// that matches none lists the allowed ones.
class Schema {
 public:
  // Throws Error if the text is not JSON or uses a keyword outside the subset.
  static Schema parse(std::string_view json_text);

  // Checks `node`, read from reader.file(); throws InputError at the first problem, in document
  // order. The error's field is the path to the value, e.g. "interventions[2].start".
  void check(const YAML::Node& node, const YamlReader& reader) const;

  struct Impl;

 private:
  explicit Schema(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// The text of scenarios/schema/scenario.schema.json as built into the library.
std::string_view scenario_schema_text();

// The scenario schema, parsed on first use. It is immutable afterwards, so sharing it between
// threads is safe.
const Schema& scenario_schema();

// Checks a scenario file's YAML tree against the scenario schema (throws InputError).
void check_scenario_schema(const YAML::Node& root, const YamlReader& reader);

}  // namespace healthcast::input
