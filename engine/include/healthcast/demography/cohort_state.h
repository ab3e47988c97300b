// The per-person state a cohort carries besides its size (MODEL.md §1-2): named blocks of values
// such as the prevalence of each disease or the share of each risk-factor category, which
// migrants and newborns share with the cohort they join. The dynamics define the blocks; the
// projection stores each block at 1 January as its own result variable (the block's catalogue
// entry, over year, region, sex, age and the block's labels), so that no code outside this
// layout works out where a value sits in the state.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "healthcast/results/catalogue.h"

namespace healthcast::demography {

class CohortStateLayout {
 public:
  struct Block {
    // The result variable the block is stored in; its last dimension runs over `labels`.
    const results::VariableSpec* variable = nullptr;
    std::vector<std::string> labels;
    std::size_t offset = 0;  // position of the block's first value in the state
    std::size_t size() const { return labels.size(); }
    std::string_view dim() const { return variable->dims[variable->rank() - 1]; }
  };

  // Appends a block of one value per label and returns its index. A block without labels adds
  // nothing and returns NONE (a health model without risk factors has no shares).
  std::size_t add(const results::VariableSpec& variable, std::vector<std::string> labels);
  static constexpr std::size_t NONE = static_cast<std::size_t>(-1);

  const std::vector<Block>& blocks() const { return blocks_; }
  const Block& block(std::size_t b) const { return blocks_.at(b); }
  // Values per cohort, all blocks together.
  std::size_t size() const { return size_; }

  // One block's values within a cohort's state.
  std::span<double> values(std::span<double> state, std::size_t b) const {
    return state.subspan(blocks_[b].offset, blocks_[b].size());
  }
  std::span<const double> values(std::span<const double> state, std::size_t b) const {
    return state.subspan(blocks_[b].offset, blocks_[b].size());
  }

  bool operator==(const CohortStateLayout& other) const;

 private:
  std::vector<Block> blocks_;
  std::size_t size_ = 0;
};

}  // namespace healthcast::demography
