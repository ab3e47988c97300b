#include "healthcast/results/dataset.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "healthcast/error.h"

namespace healthcast::results {

std::size_t Coordinate::size() const {
  return std::visit([](const auto& v) { return v.size(); }, values);
}

void Dataset::add_coordinate(Coordinate coordinate) {
  for (const auto& c : coordinates_)
    if (c.name == coordinate.name) throw Error(fmt::format("dimension '{}' added twice", c.name));
  coordinates_.push_back(std::move(coordinate));
}

Variable& Dataset::add_variable(std::string name, std::vector<std::string> dims, std::string units,
                                std::string long_name) {
  if (has_variable(name)) throw Error(fmt::format("variable '{}' added twice", name));
  Variable v{std::move(name), std::move(dims), {}, {}, std::move(units), std::move(long_name)};
  std::size_t total = 1;
  for (const auto& d : v.dims) {
    v.shape.push_back(coordinate(d).size());
    total *= v.shape.back();
  }
  v.values.assign(total, 0.0);
  variables_.push_back(std::move(v));
  return variables_.back();
}

Variable& Dataset::add_variable(const VariableSpec& spec) {
  return add_variable(std::string(spec.name), spec.dimensions(), std::string(spec.units),
                      std::string(spec.long_name));
}

Labels& Dataset::add_labels(const VariableSpec& spec) {
  if (spec.rank() != 1)
    throw Error(fmt::format("labels '{}' need exactly one dimension", spec.name));
  return add_labels(std::string(spec.name), std::string(spec.dims[0]), std::string(spec.long_name));
}

Labels& Dataset::add_labels(std::string name, std::string dim, std::string long_name) {
  if (has_variable(name) || has_labels(name))
    throw Error(fmt::format("variable '{}' added twice", name));
  const std::size_t size = coordinate(dim).size();
  labels_.push_back(
      {std::move(name), std::move(dim), std::vector<std::string>(size), std::move(long_name)});
  return labels_.back();
}

const Labels& Dataset::label(const std::string& name) const {
  for (const auto& l : labels_)
    if (l.name == name) return l;
  throw Error(fmt::format("no labels '{}' in the dataset", name));
}

Labels& Dataset::label(const std::string& name) {
  return const_cast<Labels&>(std::as_const(*this).label(name));
}

bool Dataset::has_coordinate(std::string_view name) const {
  return std::any_of(coordinates_.begin(), coordinates_.end(),
                     [&](const Coordinate& c) { return c.name == name; });
}

bool Dataset::has_labels(const std::string& name) const {
  return std::any_of(labels_.begin(), labels_.end(),
                     [&](const Labels& l) { return l.name == name; });
}

void Dataset::remove_variable(const std::string& name) {
  const auto it = std::find_if(variables_.begin(), variables_.end(),
                               [&](const Variable& v) { return v.name == name; });
  if (it == variables_.end()) throw Error(fmt::format("no variable '{}' to remove", name));
  variables_.erase(it);
}

void Dataset::remove_coordinate(const std::string& name) {
  for (const auto& v : variables_)
    if (std::find(v.dims.begin(), v.dims.end(), name) != v.dims.end())
      throw Error(fmt::format("dimension '{}' is still used by variable '{}'", name, v.name));
  for (const auto& l : labels_)
    if (l.dim == name)
      throw Error(fmt::format("dimension '{}' is still used by labels '{}'", name, l.name));
  const auto it = std::find_if(coordinates_.begin(), coordinates_.end(),
                               [&](const Coordinate& c) { return c.name == name; });
  if (it == coordinates_.end()) throw Error(fmt::format("no dimension '{}' to remove", name));
  coordinates_.erase(it);
}

const Coordinate& Dataset::coordinate(const std::string& name) const {
  for (const auto& c : coordinates_)
    if (c.name == name) return c;
  throw Error(fmt::format("no dimension '{}' in the dataset", name));
}

bool Dataset::has_variable(const std::string& name) const {
  return std::any_of(variables_.begin(), variables_.end(),
                     [&](const Variable& v) { return v.name == name; });
}

const Variable& Dataset::variable(const std::string& name) const {
  for (const auto& v : variables_)
    if (v.name == name) return v;
  throw Error(fmt::format("no variable '{}' in the dataset", name));
}

Variable& Dataset::variable(const std::string& name) {
  return const_cast<Variable&>(std::as_const(*this).variable(name));
}

std::size_t Dataset::index_of(const std::string& dim, const std::string& label) const {
  const auto* labels = std::get_if<std::vector<std::string>>(&coordinate(dim).values);
  if (labels) {
    auto it = std::find(labels->begin(), labels->end(), label);
    if (it != labels->end()) return static_cast<std::size_t>(it - labels->begin());
  }
  throw Error(fmt::format("'{}' is not a value of dimension '{}'", label, dim));
}

std::size_t Dataset::index_of(const std::string& dim, int value) const {
  const auto* numbers = std::get_if<std::vector<int>>(&coordinate(dim).values);
  if (numbers) {
    auto it = std::find(numbers->begin(), numbers->end(), value);
    if (it != numbers->end()) return static_cast<std::size_t>(it - numbers->begin());
  }
  throw Error(fmt::format("{} is not a value of dimension '{}'", value, dim));
}

}  // namespace healthcast::results
