#pragma once
// The keyed state backend of one operator subtask (Flink's KeyedStateBackend): it owns every
// keyed state the operator's functions register, for the key groups the subtask owns, and
// snapshots and restores them per key group. The operator sets the current key (and, for
// windows, the current namespace) before a function runs; the states then read and write the
// entry of that key. Two implementations: heap_keyed_state_backend (per key group hash maps of
// typed values) and rocksdb_keyed_state_backend (one RocksDB instance, a column family per
// state). Job code never sees which one runs.
//
// Everything else a keyed operator keeps per key (timers, window bookkeeping) joins the
// snapshot as a keyed_snapshot_participant, so it is checkpointed and rescaled with its key
// groups on either backend.

#include "sluice/state/heap/heap_state_key.hpp"
#include "sluice/state/key_group.hpp"
#include "sluice/state/key_group_changes.hpp"
#include "sluice/state/key_hash.hpp"
#include "sluice/state/keyed_state.hpp"
#include "sluice/state/rocksdb/rocksdb_instance.hpp"
#include "sluice/state/serialization.hpp"
#include "sluice/state/state_backend_config.hpp"
#include "sluice/state/state_descriptor.hpp"
#include "sluice/state/state_error.hpp"
#include "sluice/state/state_handle.hpp"

#include <cstdint>
#include <cstring>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

/// Per-key data an operator keeps outside the state API (timers, say) that must be snapshot
/// and restored with its key groups.
class keyed_snapshot_participant {
public:
  /// Where write_snapshot puts the bytes of each key group.
  class key_group_sink {
  public:
    virtual ~key_group_sink() = default;
    /// The writer of `key_group`'s section (the same writer for every call with that group).
    virtual byte_writer& key_group(int key_group) = 0;
    /// Whether the snapshot keeps `key_group`'s section: an incremental heap snapshot keeps,
    /// of a participant that tracks its changes, only the key groups changed since the
    /// previous one. A participant may skip the others (what it writes there is dropped).
    virtual bool wants(int) const { return true; }
  };

  virtual ~keyed_snapshot_participant() = default;
  /// Synchronous part of a snapshot: writes every entry into its key group's section.
  virtual void write_snapshot(key_group_sink& out) = 0;
  /// Adds the entries of one key group's section (restore; called once per section owned).
  virtual void read_key_group(int key_group, byte_reader& in) = 0;
  /// The entries held, for a participant that stands in for a state of its name (as the window
  /// operator's accumulators on the heap do), so that entry_count(name) counts them; none by
  /// default.
  virtual std::optional<std::size_t> entry_count() const { return std::nullopt; }
  /// The key groups it changed, for a participant that flags every key group whose entries it
  /// changes (not those it restores): incremental heap snapshots then write its sections only
  /// for the key groups changed since the previous one, beside the states' in the shared
  /// key-group files, and reference the others. Null (default): written whole every time.
  virtual key_group_changes* changes() { return nullptr; }
};

/// The interface type a descriptor gives (value_state_descriptor<T> → value_state<T>, ...).
template <class D> struct state_interface;
template <class T> struct state_interface<value_state_descriptor<T>> { using type = value_state<T>; };
template <class T> struct state_interface<list_state_descriptor<T>> { using type = list_state<T>; };
template <class UK, class UV> struct state_interface<map_state_descriptor<UK, UV>> {
  using type = map_state<UK, UV>;
};
template <class T> struct state_interface<reducing_state_descriptor<T>> {
  using type = reducing_state<T>;
};
template <class In, class Acc, class Out>
struct state_interface<aggregating_state_descriptor<In, Acc, Out>> {
  using type = aggregating_state<In, Out>;
};
template <class D>
using state_interface_t = typename state_interface<D>::type;

namespace detail {

/// The size of the byte form of the K at the front of `bytes`; throws serialization_error if
/// none is there.
template <class K>
std::size_t key_byte_size(std::string_view bytes) {
  byte_reader in(bytes.data(), bytes.size());
  deserialize<K>(in);
  return bytes.size() - in.remaining();
}

} // namespace detail

class heap_keyed_state_backend;
class key_group_file_builder;
struct local_keyed_copy;
class rocksdb_keyed_state_backend;

class keyed_state_backend {
public:
  keyed_state_backend(const keyed_state_backend&) = delete;
  keyed_state_backend& operator=(const keyed_state_backend&) = delete;
  virtual ~keyed_state_backend() = default;

  state_backend_kind kind() const { return kind_; }
  /// The operator subtask, e.g. "count (2/4)", as errors name it.
  const std::string& owner() const { return owner_; }
  key_group_range key_groups() const { return range_; }
  int max_parallelism() const { return max_parallelism_; }
  const ttl_clock& clock() const { return *clock_; }

  /// Makes `key` current. Throws state_error if its key group is not this subtask's.
  template <class K>
  void set_current_key(const K& key) {
    const int key_group = key_group_for_hash(key_hash(key), max_parallelism_);
    if constexpr (has_byte_view_v<K>) {
      // Fixed-size keys go straight into the key buffer (no scratch buffer).
      enter_key_group(key_group);
      store_key_bytes(serializer<K>::view(key));
    } else {
      set_current_key_bytes(key_group, [&](byte_writer& w) { serialize(w, key); });
    }
  }
  int current_key_group() const { return key_group_; }
  /// Declares the type of the keys set_current_key takes. A restore from the other backend's
  /// snapshot needs it to tell a key's bytes from the namespace's (the heap keeps them
  /// concatenated, RocksDB puts the namespace's length between them), so keyed operators call
  /// it in open(), before they register state or participants.
  template <class K>
  void set_key_type() {
    key_type_size_ = &detail::key_byte_size<K>;
  }
  /// Hints that `key` becomes current soon, in namespace `ns` (as set_current_namespace takes
  /// it; empty: outside any), as batch-at-a-time operators do a few records ahead: the heap
  /// backend starts loading those entries into the cache. Changes nothing else; a key of
  /// another subtask is ignored.
  template <class K>
  void prefetch_key(const K& key, std::string_view ns = {}) {
    if (!prefetches_)
      return;
    const int key_group = key_group_for_hash(key_hash(key), max_parallelism_);
    if (!range_.contains(key_group))
      return;
    if constexpr (has_byte_view_v<K>) {
      if (ns.empty()) {
        prefetch(key_group, detail::state_key_view(serializer<K>::view(key)));
        return;
      }
    }
    {
      byte_writer w(prefetch_scratch_, 0);
      serialize(w, key);
    }
    prefetch_scratch_.insert(prefetch_scratch_.end(), ns.begin(), ns.end());
    prefetch(key_group, detail::state_key_view(
                            std::string_view(prefetch_scratch_.data(), prefetch_scratch_.size())));
  }
  /// The byte form of the current key.
  std::string_view current_key_bytes() const { return {state_key_bytes_.data(), key_size_}; }
  /// Namespaces the current key's entries (windows use the window's byte form); empty by default.
  void set_current_namespace(std::string_view ns) {
    ++key_version_;
    state_key_bytes_.resize(key_size_ + ns.size());
    if (!ns.empty())
      std::memcpy(&state_key_bytes_[key_size_], ns.data(), ns.size());
  }
  std::string_view current_namespace() const {
    return {state_key_bytes_.data() + key_size_, state_key_bytes_.size() - key_size_};
  }
  /// Changes whenever the current key or namespace is set: a state may keep what it looked up
  /// for the current key while this stays the same.
  std::uint64_t current_key_version() const { return key_version_; }
  /// The current key's bytes followed by the namespace's, with their hash_bytes: computed once
  /// per current key and namespace, however many states use them. Valid until either changes.
  const detail::state_key_view& current_state_key() const {
    if (state_key_version_ != key_version_) {
      state_key_version_ = key_version_;
      state_key_ = detail::state_key_view(std::string_view(state_key_bytes_));
    }
    return state_key_;
  }

  /// The state `d` describes, created on first use (restored entries included). Throws
  /// state_error if d.name was registered before with another kind or type.
  template <class D>
  state_interface_t<D>& get_state(const D& d);

  /// Adds a participant to snapshots under `name` (unique among this backend's states). Its
  /// sections carry `signature`: a participant that writes them in the heap form of a state
  /// (as the rolling reduce does) passes that state's signature, so a snapshot of either
  /// backend restores into the other one's state or participant.
  void register_participant(const std::string& name, keyed_snapshot_participant& p,
                            const std::string& signature = participant_signature);
  /// The signature of participants whose sections have no state's form.
  static const std::string participant_signature;

  /// The synchronous part of a snapshot: captures a consistent view of every state and
  /// participant (heap: serializes the entries into memory; RocksDB: flushes and creates a
  /// native checkpoint of hard-linked SST files). Returns the asynchronous part, which writes
  /// the files under `target_dir` and may run on another thread; the backend may change
  /// meanwhile. `shared_dir` not empty asks for an incremental snapshot (checkpoints, never
  /// savepoints): files an earlier snapshot put there may be referenced instead of written
  /// again (RocksDB: SST files; the heap: key groups unchanged).
  virtual std::function<keyed_state_handle()> snapshot_sync(std::int64_t checkpoint_id,
                                                            const std::string& target_dir,
                                                            const std::string& shared_dir) = 0;
  /// A full, self-contained snapshot.
  std::function<keyed_state_handle()> snapshot_sync(std::int64_t checkpoint_id,
                                                    const std::string& target_dir) {
    return snapshot_sync(checkpoint_id, target_dir, {});
  }
  /// Both parts at once.
  keyed_state_handle snapshot(std::int64_t checkpoint_id, const std::string& target_dir,
                              const std::string& shared_dir = {}) {
    return snapshot_sync(checkpoint_id, target_dir, shared_dir)();
  }
  /// Loads exactly the key groups this subtask owns from handles written at any parallelism.
  /// Call before any state is registered. Throws state_error naming a corrupt or missing file.
  virtual void restore(const std::vector<keyed_state_handle>& handles) = 0;
  /// Restores from a local copy of this subtask's own snapshot (local_state_copy.hpp, the same
  /// key groups): reads `copy.local`, and (RocksDB) takes the shared files of
  /// `copy.checkpointed` as written, so the next incremental snapshot writes only what is new.
  virtual void restore_local(const local_keyed_copy& copy);

  /// Starts preparing, while the job still runs, the key groups a rescale of this subtask's
  /// operator from `parallelism` to `new_parallelism` will move to successors that restore
  /// another subtask's state as their base, so that they take files in instead of copying
  /// entries (RocksDB; other backends prepare nothing). Ready once the bulk is prepared.
  virtual std::shared_future<void> prepare_handoff(int parallelism, int new_parallelism);
  /// At the rescale's stop, after its snapshot: completes what prepare_handoff began and
  /// returns the directory holding it (empty: nothing was prepared). Throws state_error if it
  /// cannot be completed; the successors then copy the key groups as without it.
  virtual std::string finish_handoff() { return {}; }
  /// The rescale did not happen: drops what prepare_handoff began.
  virtual void cancel_handoff() {}
  /// Old subtasks' key groups restore() took from what they prepared (finish_handoff).
  virtual int restored_from_moves() const { return 0; }

  /// Live (unexpired) entries of state `name` over all keys and namespaces; a map state counts
  /// its map entries, a list state its elements; a participant of that name that counts its
  /// entries (keyed_snapshot_participant::entry_count) is counted instead. Throws state_error
  /// naming the state unless it is registered (restored but not registered yet counts as not
  /// registered).
  std::size_t entry_count(const std::string& name);
  /// Removes every expired entry now (heap: a full sweep; RocksDB: a compaction running the
  /// TTL filter).
  virtual void remove_expired() = 0;

protected:
  keyed_state_backend(state_backend_kind kind, std::string owner, key_group_range range,
                      int max_parallelism, const ttl_clock& clock)
      : kind_(kind), owner_(std::move(owner)), range_(range), max_parallelism_(max_parallelism),
        clock_(&clock) {}

  /// entry_count of the registered state `name`.
  virtual std::size_t count_entries(const std::string& name) = 0;
  /// prefetch_key's work: starts loading the entries of the key with bytes and hash `key`, of
  /// key group `key_group`, into the cache. Called only once enable_prefetch() was.
  virtual void prefetch(int, const detail::state_key_view&) {}
  /// Makes prefetch_key call prefetch (off by default, so other backends compute nothing).
  void enable_prefetch() { prefetches_ = true; }
  /// Throws state_error naming `name` unless a state of that name is registered.
  void check_registered(const std::string& name) const;

  /// Throws state_error unless `name` is new or was registered with `signature`; returns the
  /// state registered under it before, or nullptr.
  keyed_state_base* find_registered(const std::string& name, const std::string& signature) const;
  void add_registered(const std::string& name, const std::string& signature,
                      std::unique_ptr<keyed_state_base> state);
  /// The participants, by name.
  const std::map<std::string, keyed_snapshot_participant*>& participants() const {
    return participants_;
  }
  /// Where the key's byte form ends in `key_and_namespace` (the key set_key_type declared);
  /// throws state_error naming state `name` if no key type was declared or the bytes hold no
  /// key.
  std::size_t key_size(std::string_view key_and_namespace, const std::string& name) const;

  // Restored key-group sections wait here, by name, until their state or participant registers
  // (restore runs before the operator registers anything); both backends use this for their
  // participants, the heap backend for its states too.

  /// Restore: if `part` (format heap_key_groups or heap_incremental) holds key groups this
  /// subtask owns, keeps their blocks as pending (a shared file is checked first, as
  /// check_shared_file does). Throws state_error naming a missing or corrupt file.
  void restore_key_group_part(const keyed_state_part& part);
  /// Restore of a RocksDB checkpoint into the heap: keeps one key group's entries of a state
  /// as pending, in RocksDB's form; they become heap sections when the state (or participant)
  /// registers, or at the next snapshot, once the key type is known (set_key_type).
  void restore_rocksdb_entries(rocksdb_key_group_entries&& entries, const std::string& path);
  /// Hands the pending sections of `name` to `read(key_group, bytes)` and forgets them; throws
  /// state_error naming the state if they were snapshot under another signature or don't parse.
  /// `into_shared`: the taker keeps them where incremental heap snapshots share them (a heap
  /// state or a participant tracking its changes), not in the private file (another
  /// participant, or any taker on RocksDB).
  void take_restored(const std::string& name, const std::string& signature,
                     const std::function<void(int, byte_reader&)>& read, bool into_shared = false);
  /// On the heap, ORs into `dirty` (a byte per key group of the range) and forgets: the key
  /// groups the participants that track their changes changed, and those of the sections
  /// take_restored handed over from a shared file to an untracked participant or from
  /// elsewhere to a state or tracked participant (their shared files no longer hold what they
  /// should), since the last call. The next incremental snapshot writes them again.
  void take_changed_key_groups(std::vector<std::uint8_t>& dirty);
  /// Snapshot, synchronous part: adds every participant's sections to `out`, and the pending
  /// sections of states not registered since the restore (so the next checkpoint keeps them).
  /// An incremental heap snapshot passes `states` and `written` (a byte per key group of the
  /// range): the sections of participants that track their changes, and a pending section
  /// restored from a shared file, go to `states` when their key group is written, and nowhere
  /// else (the file referenced for the key group holds them).
  void snapshot_participants(key_group_file_builder& out, key_group_file_builder* states = nullptr,
                             const std::vector<std::uint8_t>* written = nullptr);
  /// `<dir>/<owner, sanitized>-kg<first>-<last>-chk<id><suffix>`: unique per subtask and
  /// checkpoint, whatever characters the operator's name holds.
  std::string snapshot_path(const std::string& dir, std::int64_t checkpoint_id,
                            const std::string& suffix) const;
  /// Throws state_error naming the operator unless `handle` was written by a backend this
  /// one can restore (either: heap key-group files and RocksDB checkpoints both convert).
  void check_handle_backend(const keyed_state_handle& handle) const;

private:
  /// Makes `key_group` current (the caller then sets the key's bytes).
  void enter_key_group(int key_group) {
    if (!range_.contains(key_group))
      throw_foreign_key_group(key_group);
    ++key_version_;
    key_group_ = key_group;
  }
  template <class Write>
  void set_current_key_bytes(int key_group, Write&& write) {
    enter_key_group(key_group);
    {
      byte_writer w(scratch_, 0);
      write(w);
    }
    store_key_bytes({scratch_.data(), scratch_.size()});
  }
  /// Puts `key` in front of the current namespace in state_key_bytes_.
  void store_key_bytes(std::string_view key) {
    if (key.size() != key_size_) {
      const std::size_t ns_size = state_key_bytes_.size() - key_size_;
      if (key.size() > key_size_)
        state_key_bytes_.resize(key.size() + ns_size);
      std::memmove(&state_key_bytes_[0] + key.size(), state_key_bytes_.data() + key_size_,
                   ns_size);
      state_key_bytes_.resize(key.size() + ns_size);
      key_size_ = key.size();
    }
    if (!key.empty())
      std::memcpy(&state_key_bytes_[0], key.data(), key.size());
  }
  [[noreturn]] void throw_foreign_key_group(int key_group) const;
  /// The changes `p` tracks on this backend (the heap only), or null.
  key_group_changes* tracked_changes(keyed_snapshot_participant& p) const;

  struct registered {
    std::string signature;
    std::unique_ptr<keyed_state_base> state;
  };

  state_backend_kind kind_;
  std::string owner_;
  key_group_range range_;
  int max_parallelism_;
  const ttl_clock* clock_;
  int key_group_ = -1;
  std::uint64_t key_version_ = 0;
  /// The current key's bytes (key_size_ of them) followed by the namespace's.
  std::string state_key_bytes_;
  std::size_t key_size_ = 0;
  std::vector<char> scratch_;
  bool prefetches_ = false;
  std::vector<char> prefetch_scratch_;
  mutable detail::state_key_view state_key_;
  mutable std::uint64_t state_key_version_ = 0;
  std::map<std::string, registered> states_;
  std::map<std::string, keyed_snapshot_participant*> participants_;
  std::map<std::string, std::string> participant_signatures_;
  std::size_t (*key_type_size_)(std::string_view) = nullptr;

  struct pending_section {
    int key_group;
    std::vector<char> bytes;
    bool from_shared = false; ///< read from a shared file of a heap_incremental part
  };
  struct pending_state {
    std::string signature;
    std::string path; ///< the file it came from, for errors
    std::vector<pending_section> sections;
    /// Entries of a RocksDB checkpoint, not yet turned into sections.
    rocksdb_column_format rocksdb_format;
    std::vector<rocksdb_key_group_entries> rocksdb_entries;
  };
  /// The pending state `name`, created with `signature` and `path` if new; throws state_error
  /// if it came with another signature before.
  pending_state& pending_for(const std::string& name, const std::string& signature,
                             const std::string& path);
  /// Turns the pending RocksDB entries of `name` into heap sections.
  void convert_rocksdb_entries(const std::string& name, pending_state& pending) const;
  std::map<std::string, pending_state> pending_;
  std::vector<int> moved_key_groups_;
};

/// A backend of config.kind for the subtask `owner` that owns `range`. A RocksDB instance gets a
/// fresh directory under config.state_dir (removed when the backend is destroyed); an unusable
/// state dir is a state_error naming it.
std::unique_ptr<keyed_state_backend> make_keyed_state_backend(const state_backend_config& config,
                                                              const std::string& owner,
                                                              key_group_range range,
                                                              int max_parallelism);

} // namespace sluice
