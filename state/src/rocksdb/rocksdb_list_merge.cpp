// The merge operator of list state: an append is a merge whose operand is a run of
// length-prefixed elements (rocksdb_layout.hpp), so merging is concatenation, and adding to a
// list never reads it.

#include "rocksdb_internal.hpp"

#include <deque>
#include <vector>

namespace sluice {

namespace {

template <class Operands>
void concat(const rocksdb::Slice* base, const Operands& operands, std::string& out) {
  std::size_t size = base ? base->size() : 0;
  for (const auto& op : operands)
    size += op.size();
  out.clear();
  out.reserve(size);
  if (base)
    out.append(base->data(), base->size());
  for (const auto& op : operands)
    out.append(op.data(), op.size());
}

class list_concat_operator final : public rocksdb::MergeOperator {
public:
  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    concat(in.existing_value, in.operand_list, out->new_value);
    return true;
  }

  bool PartialMergeMulti(const rocksdb::Slice&, const std::deque<rocksdb::Slice>& operands,
                         std::string* new_value, rocksdb::Logger*) const override {
    concat(nullptr, operands, *new_value);
    return true;
  }

  const char* Name() const override { return "sluice.list_concat"; }
};

} // namespace

std::shared_ptr<rocksdb::MergeOperator> make_list_concat_operator() {
  return std::make_shared<list_concat_operator>();
}

} // namespace sluice
