// input::Schema: the JSON Schema subset the scenario checker understands, and the embedded schema.
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "healthcast/input/schema.h"

using namespace healthcast;
using namespace healthcast::input;

namespace {

// The message of the InputError that checking `yaml` against `schema` throws ("" if none).
std::string problem(const Schema& schema, const std::string& yaml) {
  const YamlReader rd("t.yaml");
  try {
    schema.check(rd.parse(yaml), rd);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const char* YEAR_SCHEMA = R"({
  "type": "object", "additionalProperties": false,
  "properties": {"year": {"type": "integer", "minimum": 1950, "maximum": 2150},
                 "label": {"type": "string"}}
})";

}  // namespace

TEST(Schema, EmbeddedTextIsTheRepositoryFile) {
  std::ifstream in(std::string(HEALTHCAST_SOURCE_DIR) + "/scenarios/schema/scenario.schema.json",
                   std::ios::binary);
  ASSERT_TRUE(in);
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(scenario_schema_text(), text.str());
  EXPECT_NO_THROW(scenario_schema());
}

TEST(Schema, RejectsKeywordsOutsideTheSubset) {
  EXPECT_THROW(Schema::parse(R"({"type": "object", "patternProperties": {}})"), Error);
  EXPECT_THROW(Schema::parse(R"({"$ref": "#/$defs/missing"})"), Error);
  EXPECT_THROW(Schema::parse(R"({"additionalProperties": {"type": "string"}})"), Error);
  EXPECT_THROW(Schema::parse("{not json"), Error);
}

TEST(Schema, ScalarsTakeTheirYamlTypes) {
  const auto schema = Schema::parse(YEAR_SCHEMA);
  EXPECT_EQ(problem(schema, "year: 2020\nlabel: plan"), "");
  // Quoted, a year is text; plain, a word of digits is a number, not text.
  EXPECT_NE(problem(schema, "year: \"2020\"").find("expected a whole number from 1950 to 2150"),
            std::string::npos);
  EXPECT_NE(problem(schema, "label: 2030").find("expected text, got '2030'"), std::string::npos);
  EXPECT_EQ(problem(schema, "label: \"2030\""), "");
  EXPECT_NE(problem(schema, "year: 2020.5").find("expected a whole number"), std::string::npos);
}

TEST(Schema, MessagesNameLineColumnFieldAndWhatIsAllowed) {
  const auto schema = Schema::parse(YEAR_SCHEMA);
  EXPECT_EQ(problem(schema, "label: a\nyear: 2151"),
            "t.yaml:2:7: field 'year': 2151 is out of range; allowed: 1950 to 2150");
  EXPECT_EQ(problem(schema, "labl: a"),
            "t.yaml:1:1: field 'labl': unknown key at the top level; did you mean 'label'? "
            "Allowed keys: year, label");
}

TEST(Schema, DiscriminatedAlternativesReportAgainstTheirOwnKind) {
  const auto schema = Schema::parse(R"({
    "type": "array",
    "items": {"oneOf": [{"$ref": "#/$defs/a"}, {"$ref": "#/$defs/b"}]},
    "$defs": {
      "a": {"type": "object", "additionalProperties": false, "required": ["kind", "x"],
            "properties": {"kind": {"const": "a"}, "x": {"type": "number"}}},
      "b": {"type": "object", "additionalProperties": false, "required": ["kind"],
            "properties": {"kind": {"const": "b"}, "y": {"type": "number"}}}}
  })");
  EXPECT_EQ(problem(schema, "- {kind: a, x: 1}\n- {kind: b, y: 2}"), "");
  EXPECT_NE(problem(schema, "- {kind: b, x: 1}")
                .find("field '[0].x': unknown key in '[0]' (kind 'b'); did you mean 'y'? Allowed "
                      "keys: kind, y"),
            std::string::npos);
  EXPECT_NE(problem(schema, "- {kind: a}").find("required key 'x' is missing (kind 'a' needs"),
            std::string::npos);
  EXPECT_NE(problem(schema, "- {kind: c}")
                .find("unknown kind 'c'; did you mean 'a'? Allowed kinds: a, b"),
            std::string::npos);
}

TEST(Schema, ExactlyOneOfAndNotBefore) {
  const auto schema = Schema::parse(R"({
    "type": "object", "additionalProperties": false, "x-not-before": {"full": "start"},
    "properties": {"start": {"type": "integer"}, "full": {"type": "integer"},
                   "scale": {"type": "number"}, "reach": {"type": "number"}},
    "oneOf": [{"required": ["scale"]}, {"required": ["reach"]}]
  })");
  EXPECT_EQ(problem(schema, "{start: 2020, full: 2030, scale: 2}"), "");
  EXPECT_NE(
      problem(schema, "{start: 2020, full: 2030}").find("one of 'scale', 'reach' is required"),
      std::string::npos);
  EXPECT_NE(problem(schema, "{scale: 1, reach: 2}").find("give only one of 'scale', 'reach'"),
            std::string::npos);
  EXPECT_NE(problem(schema, "{start: 2030, full: 2025, scale: 1}")
                .find("field 'full': 2025 is before 'start' (2030); allowed: 2030 or later"),
            std::string::npos);
}
