// An in-memory dataset of named dimensions, coordinates and dense variables: the layout that
// results files store (netCDF-4 conventions) and that the Python package hands to xarray.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "healthcast/results/catalogue.h"

namespace healthcast::results {

// A dimension with its coordinate values (integers such as years and ages, or labels).
struct Coordinate {
  std::string name;
  std::variant<std::vector<int>, std::vector<std::string>> values;
  std::string long_name;
  std::string units;  // empty when the coordinate has none (labels)

  std::size_t size() const;
};

// A dense variable over named dimensions, row-major (last dimension fastest).
struct Variable {
  std::string name;
  std::vector<std::string> dims;
  std::vector<std::size_t> shape;
  std::vector<double> values;
  std::string units;
  std::string long_name;

  // Flat offset of a multi-index given in the order of dims (inline: indicators call it for
  // every cell).
  std::size_t offset(std::initializer_list<std::size_t> index) const {
    std::size_t flat = 0;
    const std::size_t* extent = shape.data();
    for (std::size_t i : index) flat = flat * *extent++ + i;
    return flat;
  }
  double& at(std::initializer_list<std::size_t> index) { return values[offset(index)]; }
  double at(std::initializer_list<std::size_t> index) const { return values[offset(index)]; }
};

// Text along one dimension (for example each target's indicator and the plan's own words):
// stored as a string variable, which netCDF and xarray read as such.
struct Labels {
  std::string name;
  std::string dim;
  std::vector<std::string> values;
  std::string long_name;
};

class Dataset {
 public:
  // Adds a dimension; its size is the number of coordinate values.
  void add_coordinate(Coordinate coordinate);
  // Adds a dimension of the catalogue with its long name and units.
  template <class T>
  void add_coordinate(std::string_view dim, std::vector<T> values) {
    const DimensionSpec& d = dimension(dim);
    add_coordinate(Coordinate{std::string(d.name), std::move(values), std::string(d.long_name),
                              std::string(d.units)});
  }
  // Adds a zero-filled variable over existing dimensions and returns it. Adding a variable may
  // move the others: references from variable() or add_variable() do not survive it.
  Variable& add_variable(std::string name, std::vector<std::string> dims, std::string units,
                         std::string long_name);

  // Adds a catalogue variable over its dimensions, with its units and long name.
  Variable& add_variable(const VariableSpec& spec);
  bool has_variable(const VariableSpec& spec) const { return has_variable(std::string(spec.name)); }
  const Variable& variable(const VariableSpec& spec) const {
    return variable(std::string(spec.name));
  }
  Variable& variable(const VariableSpec& spec) { return variable(std::string(spec.name)); }
  // Adds a catalogue text variable (labels) along its one dimension.
  Labels& add_labels(const VariableSpec& spec);
  const Labels& label(const VariableSpec& spec) const { return label(std::string(spec.name)); }
  Labels& label(const VariableSpec& spec) { return label(std::string(spec.name)); }

  // Adds empty labels along an existing dimension and returns them (same caveat as above).
  Labels& add_labels(std::string name, std::string dim, std::string long_name);
  const std::vector<Labels>& labels() const { return labels_; }
  const Labels& label(const std::string& name) const;
  Labels& label(const std::string& name);
  bool has_labels(const std::string& name) const;

  // Removes a variable, or a dimension no variable uses any more; throws Error otherwise.
  void remove_variable(const std::string& name);
  void remove_coordinate(const std::string& name);

  const std::vector<Coordinate>& coordinates() const { return coordinates_; }
  const std::vector<Variable>& variables() const { return variables_; }
  std::vector<Variable>& variables() { return variables_; }

  const Coordinate& coordinate(const std::string& name) const;
  bool has_coordinate(std::string_view name) const;
  bool has_variable(const std::string& name) const;
  const Variable& variable(const std::string& name) const;
  Variable& variable(const std::string& name);
  // Index of a label or integer value within a coordinate; throws Error if absent.
  std::size_t index_of(const std::string& dim, const std::string& label) const;
  std::size_t index_of(const std::string& dim, int value) const;

  // Global (root) attributes as text; numeric format attributes are added by the file writer.
  std::map<std::string, std::string> attributes;

 private:
  std::vector<Coordinate> coordinates_;
  std::vector<Variable> variables_;
  std::vector<Labels> labels_;
};

}  // namespace healthcast::results
