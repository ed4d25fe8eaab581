// The names of prepared transactions as a PostgreSQL server lists them (pg_prepared_xacts), read
// back by an exactly-once sink on restore to commit or roll back its own. The first byte splits
// the input into the sink's prefix and the name. A name accepted must be the one
// transaction_name writes for the subtask and checkpoint read from it.

#include "fuzz_util.hpp"

#include "sluice/connectors/postgres/prepared_transactions.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto split = std::min<std::size_t>(data[0], rest.size());
  const auto prefix = rest.substr(0, split);
  const auto gid = rest.substr(split);
  const auto t = sluice::detail::parse_transaction_name(gid, prefix);
  if (t) {
    fuzz::require(t->gid == gid, "the transaction keeps its name");
    fuzz::require(sluice::detail::transaction_name(prefix, t->subtask, t->checkpoint_id) == gid,
                  "an accepted name is the one written for its subtask and checkpoint");
  }
  return 0;
}
