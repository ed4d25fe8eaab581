// two_phase_commit_sink driven by hand: records, checkpoints, completion and abort notices, and
// "crashes" (the sink destroyed without notice, then restored from a checkpoint's operator
// state). The sink writes to a transactional store that outlives the crashes; what the store
// shows as committed must be every record exactly once, as computed here from the input.

#include "../temp_dir.hpp"
#include "log_capture.hpp"
#include "sink_attempt.hpp"
#include "sluice/operators/sinks/two_phase_commit_sink.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using namespace sluice;
using sluice::test::log_capture;
using sluice::test::temp_dir;

namespace {

struct store_transaction {
  std::uint64_t id = 0;
  SLUICE_FIELDS(id)
};

/// A transactional store: transactions hold records until committed, then the records become
/// visible. Commit and abort of a transaction in the wrong stage throw.
struct store {
  enum class stage { open, pre_committed, committed, aborted };
  struct transaction {
    int begun_by = 0; ///< subtask index
    std::vector<int> records;
    stage at = stage::open;
  };
  std::map<std::uint64_t, transaction> transactions;
  std::vector<int> visible; ///< the committed records, in commit order
  std::map<std::uint64_t, int> commit_calls;
  /// "commit <id> by <subtask>", "abort <id> by <subtask>".
  std::vector<std::string> resolutions;
  /// Per subtask, how many transactions each finish_recovery call was given.
  std::map<int, std::vector<std::size_t>> recovered;

  transaction& at(std::uint64_t id) {
    auto it = transactions.find(id);
    if (it == transactions.end())
      throw std::logic_error("no transaction " + std::to_string(id));
    return it->second;
  }
};

class store_sink final : public two_phase_commit_sink<int, store_transaction> {
public:
  explicit store_sink(std::shared_ptr<store> s) : store_(std::move(s)) {}
  std::unique_ptr<sink<int>> clone() const override { return std::make_unique<store_sink>(*this); }

protected:
  store_transaction begin_transaction() override {
    const auto id = store_->transactions.size();
    store_->transactions[id].begun_by = context().subtask_index;
    return {id};
  }
  void invoke(store_transaction& txn, int&& value) override {
    auto& t = store_->at(txn.id);
    REQUIRE(t.at == store::stage::open);
    t.records.push_back(value);
  }
  void pre_commit(store_transaction& txn) override {
    auto& t = store_->at(txn.id);
    REQUIRE(t.at == store::stage::open);
    t.at = store::stage::pre_committed;
  }
  void commit(const store_transaction& txn) override {
    auto& t = store_->at(txn.id);
    ++store_->commit_calls[txn.id];
    resolved("commit", txn);
    if (t.at == store::stage::committed)
      return; // idempotent
    if (t.at != store::stage::pre_committed)
      throw std::logic_error("commit of a transaction that is not pre-committed");
    t.at = store::stage::committed;
    store_->visible.insert(store_->visible.end(), t.records.begin(), t.records.end());
  }
  void abort(const store_transaction& txn) override {
    auto& t = store_->at(txn.id);
    resolved("abort", txn);
    if (t.at == store::stage::committed)
      throw std::logic_error("abort of a committed transaction");
    t.at = store::stage::aborted;
  }
  void finish_recovery(const std::vector<store_transaction>& recorded) override {
    store_->recovered[context().subtask_index].push_back(recorded.size());
  }

private:
  void resolved(const char* what, const store_transaction& txn) {
    store_->resolutions.push_back(std::string(what) + " " + std::to_string(txn.id) + " by " +
                                  std::to_string(context().subtask_index));
  }

  std::shared_ptr<store> store_;
};

std::vector<int> range(int from, int to) {
  std::vector<int> v;
  for (int i = from; i <= to; ++i)
    v.push_back(i);
  return v;
}

/// The sinks of one attempt, writing to store `s`, with checkpointing on.
struct attempt : sluice::test::sink_attempt<int> {
  attempt(const std::shared_ptr<store>& s, int parallelism, const std::string& dir,
          const std::vector<operator_state_handle>* restore_from = nullptr)
      : sink_attempt(store_sink(s), parallelism, dir, restore_from) {}

  void write(int i, int from, int to) { sink_attempt::write(i, range(from, to)); }
};

/// A scratch directory for checkpoints and a store, for one test.
struct store_fixture {
  temp_dir dir;
  std::shared_ptr<store> s = std::make_shared<store>();

  /// A first attempt writes 1..3, takes checkpoint 1 (and hears it complete if `completed`),
  /// writes 4 and crashes. Returns checkpoint 1's handles.
  std::vector<operator_state_handle> crash_after_checkpoint_1(bool completed) {
    attempt first(s, 1, dir.str());
    first.write(0, 1, 3);
    auto chk1 = first.checkpoint(1);
    if (completed)
      first.complete(1);
    first.write(0, 4, 4);
    return chk1;
  }
};

std::vector<int> sorted(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  return v;
}

} // namespace

TEST_CASE_FIXTURE(
    store_fixture,
    "two-phase commit: a crash after checkpoint 2 commits its transaction on restore, "
    "and the replayed records once") {
  std::vector<operator_state_handle> chk2;
  {
    attempt first(s, 1, dir.str());
    first.write(0, 1, 5);
    first.checkpoint(1);
    CHECK(s->visible.empty()); // pre-committed, not visible
    first.complete(1);
    CHECK(s->visible == range(1, 5));
    first.write(0, 6, 10);
    chk2 = first.checkpoint(2);
    first.write(0, 11, 12); // lost with the crash, replayed below
  }                         // crash: destroyed without the notice of 2
  CHECK(s->visible == range(1, 5));
  attempt second(s, 1, dir.str(), &chk2);
  CHECK(s->visible == range(1, 10));           // checkpoint 2's transaction, committed on restore
  CHECK(s->at(2).at == store::stage::aborted); // the one that held 11 and 12
  second.write(0, 11, 15);                     // the source replays what followed checkpoint 2
  second.checkpoint(3);
  second.complete(3);
  CHECK(s->visible == range(1, 15));
  CHECK(s->commit_calls == std::map<std::uint64_t, int>{{0, 1}, {1, 1}, {3, 1}});
}

TEST_CASE_FIXTURE(
    store_fixture,
    "two-phase commit: a crash between the snapshot and the notice commits on restore") {
  const auto chk1 = crash_after_checkpoint_1(false);
  CHECK(s->visible.empty());
  attempt second(s, 1, dir.str(), &chk1);
  CHECK(s->visible == range(1, 3));
  CHECK(s->resolutions == std::vector<std::string>{"commit 0 by 0", "abort 1 by 0"});
}

TEST_CASE_FIXTURE(
    store_fixture,
    "two-phase commit: an aborted checkpoint's transaction commits with a later one") {
  attempt run(s, 1, dir.str());
  run.write(0, 1, 3);
  run.checkpoint(1);
  run[0].notify_checkpoint_aborted(1);
  run.write(0, 4, 6);
  run.checkpoint(2);
  CHECK(s->visible.empty());
  run.complete(2);
  CHECK(s->visible == range(1, 6)); // both transactions, in order
  CHECK(s->resolutions == std::vector<std::string>{"commit 0 by 0", "commit 1 by 0"});

  // Pending from an aborted checkpoint and a later one, then a crash: both commit on restore,
  // in order.
  run.write(0, 7, 8);
  run.checkpoint(3);
  run[0].notify_checkpoint_aborted(3);
  run.write(0, 9, 9);
  const auto chk4 = run.checkpoint(4);
  attempt restored(s, 1, dir.str(), &chk4);
  CHECK(s->visible == range(1, 9));
}

TEST_CASE_FIXTURE(
    store_fixture,
    "two-phase commit: commit may run twice for a transaction, its records show once") {
  const auto chk1 = crash_after_checkpoint_1(true); // after the commit, before checkpoint 2
  CHECK(s->commit_calls[0] == 1);
  attempt second(s, 1, dir.str(), &chk1); // commits transaction 0 again
  CHECK(s->commit_calls[0] == 2);
  CHECK(s->visible == range(1, 3));
  attempt third(s, 1, dir.str(), &chk1); // and again, if the restored job fails before a checkpoint
  CHECK(s->commit_calls[0] == 3);
  CHECK(s->visible == range(1, 3));
}

TEST_CASE("two-phase commit restored at another parallelism resolves each transaction once") {
  for (auto [from, to] : {std::pair{3, 2}, std::pair{2, 3}, std::pair{3, 1}}) {
    INFO("parallelism " << from << " -> " << to);
    temp_dir dir;
    auto s = std::make_shared<store>();
    std::vector<operator_state_handle> chk2;
    std::vector<int> expected;
    {
      attempt first(s, from, dir.str());
      for (int i = 0; i < from; ++i) { // subtask i writes i*100 + 1..3, then i*100 + 4..6
        first.write(i, i * 100 + 1, i * 100 + 3);
        auto records = range(i * 100 + 1, i * 100 + 6);
        expected.insert(expected.end(), records.begin(), records.end());
      }
      first.checkpoint(1);
      for (int i = 0; i < from; ++i)
        first.write(i, i * 100 + 4, i * 100 + 6);
      chk2 = first.checkpoint(2); // neither 1 nor 2 completes before the crash
    }
    // New subtask j commits the pending transactions of the old subtasks i with i % to == j,
    // old subtask by old subtask, each in the order it recorded them; then it aborts their
    // current ones.
    std::vector<std::string> expected_resolutions;
    for (int j = 0; j < to; ++j)
      for (auto stage : {store::stage::pre_committed, store::stage::open})
        for (int i = j; i < from; i += to)
          for (auto& [id, t] : s->transactions)
            if (t.begun_by == i && t.at == stage)
              expected_resolutions.push_back((stage == store::stage::open ? "abort " : "commit ") +
                                             std::to_string(id) + " by " + std::to_string(j));
    CHECK(s->transactions.size() == static_cast<std::size_t>(3 * from));
    s->resolutions.clear();
    attempt second(s, to, dir.str(), &chk2);
    CHECK(sorted(s->visible) == expected);
    CHECK(s->resolutions == expected_resolutions);
    for (int j = 0; j < to; ++j) // every subtask sees every recorded transaction
      CHECK(s->recovered[j] == std::vector<std::size_t>{static_cast<std::size_t>(3 * from)});
  }
}

TEST_CASE("two-phase commit without checkpointing is a plain sink") {
  auto s = std::make_shared<store>();
  runtime_context ctx{"job", "sink", 0, 1}; // no operator state: checkpointing is off
  auto finished = store_sink(s).clone();
  finished->open(ctx);
  finished->write(1);
  finished->write(2);
  finished->finish(); // end of input: pre-commit and commit
  CHECK(s->visible == range(1, 2));
  finished->close();

  auto failed = store_sink(s).clone();
  failed->open(ctx);
  failed->write(3);
  failed->close(); // closed without the end of input: a failed job
  CHECK(s->visible == range(1, 2));
  CHECK(s->at(1).at == store::stage::aborted);
  CHECK_THROWS_WITH_AS(failed->write(4), doctest::Contains("sink 'sink (1/1)' has no open"),
                       std::logic_error);
}

TEST_CASE_FIXTURE(store_fixture,
                  "two-phase commit with checkpointing: the end of input commits with the final "
                  "checkpoint") {
  {
    attempt run(s, 1, dir.str());
    run.write(0, 1, 3);
    run[0].finish();
    CHECK(s->at(0).at == store::stage::pre_committed);
    CHECK(s->visible.empty());
    run.checkpoint(1); // the final checkpoint: nothing begins after the end of input
    CHECK(s->transactions.size() == 1);
    run.complete(1);
    CHECK(s->visible == range(1, 3));
    log_capture captured;
    run[0].close();
    CHECK(captured.text().empty());
  }
  attempt unfinished(s, 1, dir.str());
  unfinished.write(0, 4, 5);
  unfinished[0].finish();
  log_capture captured;
  unfinished[0].close(); // no checkpoint after the end of input: nothing commits, it says so
  CHECK(s->visible == range(1, 3));
  CHECK(captured.text() == "warning sink 'sink (1/1)' closed with 1 pre-committed "
                           "transaction(s) not committed: no checkpoint completed after them\n");
}

TEST_CASE("two-phase commit: checkpointing without an operator state backend is an error") {
  auto s = std::make_shared<store>();
  auto sink = store_sink(s).clone();
  sink->open(runtime_context{"job", "sink", 0, 1});
  CHECK_THROWS_WITH_AS(sink->snapshot_state(1),
                       doctest::Contains("sink 'sink (1/1)' has no operator state backend"),
                       std::logic_error);
}
