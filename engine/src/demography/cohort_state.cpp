#include "healthcast/demography/cohort_state.h"

namespace healthcast::demography {

std::size_t CohortStateLayout::add(const results::VariableSpec& variable,
                                   std::vector<std::string> labels) {
  const std::size_t n = labels.size();
  if (n == 0) return NONE;
  blocks_.push_back({&variable, std::move(labels), size_});
  size_ += n;
  return blocks_.size() - 1;
}

bool CohortStateLayout::operator==(const CohortStateLayout& other) const {
  if (blocks_.size() != other.blocks_.size()) return false;
  for (std::size_t b = 0; b < blocks_.size(); ++b)
    if (blocks_[b].variable != other.blocks_[b].variable ||
        blocks_[b].labels != other.blocks_[b].labels)
      return false;
  return true;
}

}  // namespace healthcast::demography
