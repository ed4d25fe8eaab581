#pragma once
// The window operator's fast path for session windows (event time, default trigger, reduce or
// aggregate), on either backend: the open sessions of each key, sorted by start — each with its
// window, the accumulator of its elements and what the generic path's timers would be — where
// the generic path copies the key's merging window set out of its state and back, serializes
// the key and the window to reach the contents, and moves the trigger and cleanup timers, for
// every element. window_operator keeps the sessions' timers (queued ahead of their time, moved
// on when they fire early); this table keeps the sessions, in the generic path's two states
// (or their heap form): "window-merging-sets" (per key, in-flight window -> state window, the
// window whose namespace holds its contents) and "window-contents" (per key and state window,
// the accumulator). So a snapshot of either path, on either backend, restores into the other,
// at any parallelism. A merge keeps the state window of the earliest session, as
// merging_window_set does. Where the sessions live, the backend decides (keyed_table_state.hpp),
// so the operator never asks which backend runs:
// - on the heap, in this table's own map (key -> sessions), which prefetch() loads ahead of use
//   and which joins snapshots as two participants in the heap form of those states
//   (value_state_sections) that flag the key groups whose sessions changed, so an incremental
//   snapshot writes only those;
// - on RocksDB, in those states themselves: each call reads the accumulators it needs, store()
//   and retire() write back what changed. What the timers need of the sessions of each key in
//   use (window, state window, the earliest timer queued, whether the end is pending) stays in
//   memory too, beside the timers themselves, and stands in for the key's merging set, read
//   only for a key not in use yet: snapshots carry it as the timers the generic path would
//   hold, from which a restore rebuilds it (a session without timers has none queued and no
//   end pending).

#include "sluice/operators/windows/time_window.hpp"
#include "sluice/state/key_group_changes.hpp"
#include "sluice/state/flat_hash_map.hpp"
#include "sluice/state/keyed_state_backend.hpp"
#include "sluice/state/keyed_table_state.hpp"
#include "sluice/state/state_error.hpp"
#include "sluice/state/value_state_sections.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::windows_detail {

/// The open sessions (accumulators Acc) of every key of one subtask; D is the descriptor of
/// the contents state.
template <class K, class Acc, class D> class session_accumulators {
public:
  static constexpr std::int64_t no_timer = std::numeric_limits<std::int64_t>::max();

  /// What the operator's timers need of a session.
  struct session_timing {
    time_window window;
    time_window state_window; ///< the contents' namespace
    /// The earliest time at which a timer of this session is queued (no_timer: none).
    std::int64_t queued = no_timer;
    /// Whether the generic path would hold a timer at window.max_timestamp().
    bool end_pending = false;
  };
  /// A session: its timing and the accumulator of its elements, placed right after the windows
  /// so that it shares the window's cache line more often (a merge reads the window first).
  struct session {
    time_window window;
    time_window state_window;
    Acc acc{};
    std::int64_t queued = no_timer;
    bool end_pending = false;

    static session of(const session_timing& t) {
      return {t.window, t.state_window, Acc{}, t.queued, t.end_pending};
    }
    session_timing timing() const { return {window, state_window, queued, end_pending}; }
  };
  using sessions = std::vector<session>;

  /// Registers with `backend`, taking the sessions restored into it. Throws state_error if an
  /// in-flight window restored on the heap has no contents.
  void open(keyed_state_backend& backend) {
    backend_ = &backend;
    without_contents_ = 0;
    on_heap_ = windows_state_.open(backend, "window-merging-sets", merging_sets_,
                                   merging_sections::signature());
    contents_state_.open(backend, "window-contents", contents_, contents_sections::signature());
    if (without_contents_ != 0)
      throw state_error("window_operator: " + std::to_string(without_contents_) +
                        " restored session window(s) without contents");
  }

  /// Starts loading the sessions of `key` into the cache (on the heap).
  void prefetch(const K& key) const {
    if (on_heap_)
      table_.prefetch(key);
  }

  /// Merges `window` of `key` with every session it intersects (touching counts), into the
  /// earliest one, whose accumulator absorb(into, from) folds the later ones into, in order.
  /// Returns that session, whose accumulator the caller may change before store(), or nullptr
  /// if `window` meets none. Invalidates other sessions.
  template <class Absorb> session* merge(const K& key, const time_window& window, Absorb&& absorb) {
    return on_heap_ ? merge_in<true>(key, window, absorb) : merge_in<false>(key, window, absorb);
  }

  /// Adds a session of `key` over `window`, which meets none, with accumulator `acc`.
  session* insert(const K& key, const time_window& window, Acc&& acc) {
    sessions& list = on_heap_ ? *table_.try_emplace(hashed(key)).first : *load(key);
    const auto at = std::find_if(list.begin(), list.end(),
                                 [&](const session& s) { return s.window.start > window.start; });
    windows_changed_ = acc_changed_ = true;
    return &*list.insert(at, session{window, window, std::move(acc)});
  }

  /// The session of `key` whose window contains `window`, or nullptr. Its accumulator is
  /// read, not changed.
  session* containing(const K& key, const time_window& window) {
    sessions* list = find(key);
    if (list == nullptr)
      return nullptr;
    for (session& s : *list) {
      if (s.window.start <= window.start && window.end <= s.window.end) {
        if (!on_heap_)
          fetch(key, s);
        return &s;
      }
    }
    return nullptr;
  }

  /// Keeps the changes to session `s` of `key` (the last merge(), insert() or containing()
  /// returned it): off the heap, writes them back; on it, flags the key's key group changed.
  void store(const K& key, const session& s) {
    if (on_heap_)
      changes_.mark_hash(hash_);
    else
      write_back(key, s);
  }

  /// Removes session `s` of `key` (the last merge(), insert() or containing() returned it).
  void retire(const K& key, const session& s) {
    sessions& list = on_heap_ ? *table_.find(hashed_key{&key, hash_}) : loaded_;
    forget(key, s);
    list.erase(list.begin() + (&s - list.data()));
    if (on_heap_) {
      changes_.mark_hash(hash_);
      if (list.empty())
        table_.erase(hashed_key{&key, hash_});
    } else {
      write_windows(key);
      remember(key);
    }
  }

  /// On the heap, the key groups whose sessions (and so the timers they stand for) changed
  /// since the last snapshot: the heap snapshots of both states and of the window timers
  /// write only those, referencing the others.
  key_group_changes& changes() { return changes_; }

  /// Calls f(key, timing) for the timing of every session (off the heap: of the keys in use,
  /// those of the timers restored among them; the others hold no timers).
  template <class F> void for_each(F&& f) {
    if (on_heap_) {
      for_each_session(f);
      return;
    }
    timings_.for_each([&](const K& key, std::vector<session_timing>& list) {
      for (session_timing& t : list)
        f(key, t);
    });
  }

private:
  using window_map = std::map<time_window, time_window>;
  using merging_sections = value_state_sections<K, window_map>;
  using contents_sections = value_state_sections<K, Acc, D, time_window>;

  /// A key with its key_hash, so that a record's key is hashed once on the heap: for the
  /// table's lookup and for the flag of its key group.
  struct hashed_key {
    const K* key;
    std::uint64_t hash;
    operator const K&() const { return *key; } // the table's insertion: K(q)
    friend bool operator==(const K& k, const hashed_key& h) { return k == *h.key; }
  };
  struct session_hash {
    std::uint64_t operator()(const K& key) const { return key_hash(key); }
    std::uint64_t operator()(const hashed_key& h) const { return h.hash; }
  };
  /// `key` with its hash, which it keeps as hash_.
  hashed_key hashed(const K& key) {
    hash_ = key_hash(key);
    return {&key, hash_};
  }

  /// One of the two states the sessions stand in for in heap snapshots.
  template <class Sections> struct participant final : keyed_snapshot_participant {
    session_accumulators* owner;
    explicit participant(session_accumulators* o) : owner(o) {}
    void write_snapshot(key_group_sink& out) override { owner->write(*this, out); }
    void read_key_group(int, byte_reader& in) override {
      Sections::read(in, [&](auto&&... entry) { owner->restore(std::move(entry)...); });
    }
    std::optional<std::size_t> entry_count() const override { return owner->count(*this); }
    key_group_changes* changes() override { return &owner->changes_; }
  };
  using merging_participant = participant<merging_sections>;
  using contents_participant = participant<contents_sections>;

  /// merge() on the heap (OnHeap) or off it, each with only its own work per element.
  template <bool OnHeap, class Absorb>
  session* merge_in(const K& key, const time_window& window, Absorb& absorb) {
    sessions* list = OnHeap ? table_.find(hashed(key)) : load(key);
    if (list == nullptr)
      return nullptr;
    auto first = std::find_if(list->begin(), list->end(),
                              [&](const session& s) { return s.window.end >= window.start; });
    auto last = first;
    while (last != list->end() && last->window.start <= window.end)
      ++last;
    if (first == last)
      return nullptr;
    const time_window before = first->window;
    if constexpr (!OnHeap)
      fetch(key, *first);
    first->window = first->window.cover(window);
    for (auto s = std::next(first); s != last; ++s) {
      if constexpr (!OnHeap)
        fetch(key, *s);
      first->window = first->window.cover(s->window);
      first->queued = std::min(first->queued, s->queued);
      absorb(first->acc, std::move(s->acc));
      if constexpr (!OnHeap)
        forget(key, *s);
    }
    if constexpr (!OnHeap) {
      windows_changed_ = first->window != before || std::next(first) != last;
      acc_changed_ = true;
    }
    const auto index = first - list->begin();
    list->erase(std::next(first), last);
    return &(*list)[static_cast<std::size_t>(index)];
  }

  /// The sessions of `key`: on the heap, in the table (nullptr: none); off it, read.
  sessions* find(const K& key) { return on_heap_ ? table_.find(hashed(key)) : load(key); }

  // -- off the heap -------------------------------------------------------------------------

  /// The sessions of `key`, without accumulators: those in use, else from its merging set.
  sessions* load(const K& key) {
    loaded_.clear();
    windows_changed_ = acc_changed_ = false;
    if (const std::vector<session_timing>* in_use = timings_.find(key)) {
      for (const session_timing& t : *in_use)
        loaded_.push_back(session::of(t));
      return &loaded_;
    }
    use(key, nullptr);
    if (const window_map* mapping = windows_state_.find()) {
      for (const auto& [window, state_window] : *mapping)
        loaded_.push_back(session{window, state_window});
      remember(key);
    }
    return &loaded_;
  }
  /// Reads the accumulator of session `s` of `key` (off the heap).
  void fetch(const K& key, session& s) {
    use(key, &s.state_window);
    const Acc* acc = contents_state_.find();
    if (acc == nullptr) {
      std::ostringstream os;
      os << "window_operator: session window " << s.window << " has no contents";
      throw state_error(os.str());
    }
    s.acc = *acc;
  }
  /// Drops the accumulator of session `s` of `key` (off the heap).
  void forget(const K& key, const session& s) {
    if (on_heap_)
      return;
    use(key, &s.state_window);
    contents_state_.erase();
  }
  void write_back(const K& key, const session& s) {
    if (windows_changed_)
      write_windows(key);
    if (acc_changed_) {
      use(key, &s.state_window);
      contents_state_.put(s.acc);
    }
    remember(key);
  }
  /// Keeps the timing of the sessions load() read for `key` as the key's in use.
  void remember(const K& key) {
    if (loaded_.empty()) {
      timings_.erase(key);
      return;
    }
    std::vector<session_timing>& timings = *timings_.try_emplace(key).first;
    timings.clear();
    for (const session& s : loaded_)
      timings.push_back(s.timing());
  }
  /// Writes the merging set of the sessions load() read for `key`.
  void write_windows(const K& key) {
    use(key, nullptr);
    if (loaded_.empty()) {
      windows_state_.erase();
      return;
    }
    window_map mapping;
    for (const session& s : loaded_)
      mapping.emplace(s.window, s.state_window);
    windows_state_.put(mapping);
  }
  /// Makes `key` the backend's current key, in namespace `state_window` (nullptr: none).
  void use(const K& key, const time_window* state_window) {
    detail::use_key_namespace(*backend_, key, state_window, ns_bytes_);
  }

  // -- on the heap ----------------------------------------------------------------------------

  template <class F> void for_each_session(F&& f) {
    table_.for_each([&](const K& key, sessions& list) {
      for (session& s : list)
        f(key, s);
    });
  }

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
    merging_sections::write(out, backend_->max_parallelism(), [&](auto&& f) {
      table_.for_each([&](const K& key, const sessions& list) {
        window_map mapping;
        for (const session& s : list)
          mapping.emplace(s.window, s.state_window);
        f(key, mapping);
      });
    });
  }
  void write(contents_participant&, keyed_snapshot_participant::key_group_sink& out) {
    contents_sections::write(out, backend_->max_parallelism(), [&](auto&& f) {
      for_each_session([&](const K& key, const session& s) { f(key, s.state_window, s.acc); });
    });
  }
  std::optional<std::size_t> count(const merging_participant&) const { return table_.size(); }
  std::optional<std::size_t> count(const contents_participant&) {
    std::size_t n = 0;
    for_each_session([&](const K&, const session&) { ++n; });
    return n;
  }

  keyed_state_backend* backend_ = nullptr;
  bool on_heap_ = false;
  /// On the heap: the sessions, by key.
  flat_hash_map<K, sessions, session_hash> table_;
  /// key_hash of the key merge(), insert() or containing() looked up last: store() and
  /// retire() follow them for the same key, and flag its key group without hashing it again.
  std::uint64_t hash_ = 0;
  std::size_t without_contents_ = 0;
  key_group_changes changes_;
  merging_participant merging_sets_{this};
  contents_participant contents_{this};
  /// Off the heap: the states, the sessions of the key load() read, what the caller may have
  /// changed of them, the timing of the sessions of the keys in use, and a namespace's byte
  /// form.
  detail::table_state<value_state_descriptor<window_map>> windows_state_;
  detail::table_state<D> contents_state_;
  sessions loaded_;
  bool windows_changed_ = false;
  bool acc_changed_ = false;
  flat_hash_map<K, std::vector<session_timing>> timings_;
  std::vector<char> ns_bytes_;
};

} // namespace sluice::windows_detail
