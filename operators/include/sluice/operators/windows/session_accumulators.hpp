#pragma once
// The window operator's fast path for session windows on the heap (event time, default
// trigger, reduce or aggregate): the open sessions of each key in this typed table, sorted by
// start — each with its window, the accumulator of its elements and what the generic path's
// timers would be — where the generic path copies the key's merging window set out of its
// state and back, serializes the key and the window to reach the contents, and moves the
// trigger and cleanup timers, for every element. window_operator keeps the sessions' timers
// (queued ahead of their time, moved on when they fire early); this table keeps the sessions.
//
// The sessions join snapshots as two participants in the heap form of the generic path's
// states (value_state_sections): "window-merging-sets" (per key, in-flight window -> state
// window, the window whose namespace holds its contents) and "window-contents" (per key and
// state window, the accumulator). So a snapshot of either path, on either backend, restores
// into the other. A merge keeps the state window of the earliest session, as
// merging_window_set does.

#include "sluice/operators/windows/time_window.hpp"
#include "sluice/state/flat_hash_map.hpp"
#include "sluice/state/keyed_state_backend.hpp"
#include "sluice/state/state_error.hpp"
#include "sluice/state/value_state_sections.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::windows_detail {

/// The open sessions (accumulators Acc) of every key of one subtask; D is the descriptor of
/// the contents state whose heap form the snapshots take.
template <class K, class Acc, class D> class session_accumulators {
public:
  static constexpr std::int64_t no_timer = std::numeric_limits<std::int64_t>::max();

  struct session {
    time_window window;
    time_window state_window; ///< the contents' namespace in snapshots
    Acc acc{};
    /// The earliest time at which a timer of this session is queued (no_timer: none).
    std::int64_t queued = no_timer;
    /// Whether the generic path would hold a timer at window.max_timestamp().
    bool end_pending = false;
  };
  using sessions = std::vector<session>;

  /// Registers with `backend`, taking the sessions restored into it. Throws state_error if an
  /// in-flight window has no contents.
  void open(keyed_state_backend& backend) {
    max_parallelism_ = backend.max_parallelism();
    without_contents_ = 0;
    backend.register_participant("window-merging-sets", merging_sets_,
                                 merging_sections::signature());
    backend.register_participant("window-contents", contents_, contents_sections::signature());
    if (without_contents_ != 0)
      throw state_error("window_operator: " + std::to_string(without_contents_) +
                        " restored session window(s) without contents");
  }

  /// Starts loading the sessions of `key` into the cache.
  void prefetch(const K& key) const { table_.prefetch(key); }

  /// Merges `window` of `key` with every session it intersects (touching counts), into the
  /// earliest one, whose accumulator absorb(into, from) folds the later ones into, in order.
  /// Returns that session, or nullptr if `window` meets none. Invalidates other sessions.
  template <class Absorb> session* merge(const K& key, const time_window& window, Absorb&& absorb) {
    sessions* list = table_.find(key);
    if (list == nullptr)
      return nullptr;
    auto first = std::find_if(list->begin(), list->end(),
                              [&](const session& s) { return s.window.end >= window.start; });
    auto last = first;
    while (last != list->end() && last->window.start <= window.end)
      ++last;
    if (first == last)
      return nullptr;
    first->window = first->window.cover(window);
    for (auto s = std::next(first); s != last; ++s) {
      first->window = first->window.cover(s->window);
      first->queued = std::min(first->queued, s->queued);
      absorb(first->acc, std::move(s->acc));
    }
    const auto index = first - list->begin();
    list->erase(std::next(first), last);
    return &(*list)[static_cast<std::size_t>(index)];
  }

  /// Adds a session of `key` over `window`, which meets none, with accumulator `acc`.
  session* insert(const K& key, const time_window& window, Acc&& acc) {
    sessions& list = *table_.try_emplace(key).first;
    const auto at = std::find_if(list.begin(), list.end(),
                                 [&](const session& s) { return s.window.start > window.start; });
    return &*list.insert(at, session{window, window, std::move(acc)});
  }

  /// The session of `key` whose window contains `window`, or nullptr.
  session* containing(const K& key, const time_window& window) {
    sessions* list = table_.find(key);
    if (list == nullptr)
      return nullptr;
    for (session& s : *list) {
      if (s.window.start <= window.start && window.end <= s.window.end)
        return &s;
    }
    return nullptr;
  }

  /// Removes session `s` of `key`.
  void retire(const K& key, const session& s) {
    sessions& list = *table_.find(key);
    list.erase(list.begin() + (&s - list.data()));
    if (list.empty())
      table_.erase(key);
  }

  /// Calls f(key, session) for every session.
  template <class F> void for_each(F&& f) {
    table_.for_each([&](const K& key, sessions& list) {
      for (session& s : list)
        f(key, s);
    });
  }

private:
  using window_map = std::map<time_window, time_window>;
  using merging_sections = value_state_sections<K, window_map>;
  using contents_sections = value_state_sections<K, Acc, D, time_window>;

  /// One of the two states the sessions stand in for in snapshots.
  template <class Sections> struct participant final : keyed_snapshot_participant {
    session_accumulators* owner;
    explicit participant(session_accumulators* o) : owner(o) {}
    void write_snapshot(key_group_sink& out) override { owner->write(*this, out); }
    void read_key_group(int, byte_reader& in) override {
      Sections::read(in, [&](auto&&... entry) { owner->restore(std::move(entry)...); });
    }
    std::optional<std::size_t> entry_count() const override { return owner->count(*this); }
  };
  using merging_participant = participant<merging_sections>;
  using contents_participant = participant<contents_sections>;

  /// Restore, in registration order: the merging sets make the sessions, then the contents
  /// fill them (contents of no in-flight window are dropped, as the generic path never reads
  /// them).
  void restore(K&& key, window_map&& mapping) {
    sessions& list = *table_.try_emplace(key).first;
    for (const auto& [window, state_window] : mapping)
      list.push_back(session{window, state_window});
    without_contents_ += mapping.size();
  }
  void restore(K&& key, time_window&& state_window, Acc&& acc) {
    if (sessions* list = table_.find(key)) {
      for (session& s : *list) {
        if (s.state_window == state_window) {
          s.acc = std::move(acc);
          --without_contents_;
        }
      }
    }
  }

  void write(merging_participant&, keyed_snapshot_participant::key_group_sink& out) {
    merging_sections::write(out, max_parallelism_, [&](auto&& f) {
      table_.for_each([&](const K& key, const sessions& list) {
        window_map mapping;
        for (const session& s : list)
          mapping.emplace(s.window, s.state_window);
        f(key, mapping);
      });
    });
  }
  void write(contents_participant&, keyed_snapshot_participant::key_group_sink& out) {
    contents_sections::write(out, max_parallelism_, [&](auto&& f) {
      for_each([&](const K& key, const session& s) { f(key, s.state_window, s.acc); });
    });
  }
  std::optional<std::size_t> count(const merging_participant&) const { return table_.size(); }
  std::optional<std::size_t> count(const contents_participant&) {
    std::size_t n = 0;
    for_each([&](const K&, const session&) { ++n; });
    return n;
  }

  flat_hash_map<K, sessions> table_;
  int max_parallelism_ = 0;
  std::size_t without_contents_ = 0;
  merging_participant merging_sets_{this};
  contents_participant contents_{this};
};

} // namespace sluice::windows_detail
