#include "sluice/state/keyed_state_backend.hpp"

#include "sluice/state/cross_backend.hpp"
#include "sluice/state/heap/heap_shared_key_groups.hpp"
#include "sluice/state/key_group_file.hpp"
#include "sluice/state/local_state_copy.hpp"
#include "sluice/state/shared_state_files.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace sluice {
namespace {

/// The buffer of one key group's section while a participant writes it.
struct section_buffer {
  std::vector<char> bytes;
  byte_writer writer{bytes};
};

/// Gives a participant one writer per key group it writes, checking the group is ours; with
/// `written` (a byte per key group of the range), keeps only the key groups it flags.
class section_sink final : public keyed_snapshot_participant::key_group_sink {
public:
  section_sink(const std::string& owner, const std::string& name, const std::string& signature,
               key_group_range range, const std::vector<std::uint8_t>* written = nullptr)
      : owner_(owner), name_(name), signature_(signature), range_(range), written_(written) {}

  byte_writer& key_group(int key_group) override {
    if (!range_.contains(key_group))
      throw state_error("operator '" + owner_ + "': internal state '" + name_ +
                        "' wrote key group " + std::to_string(key_group) +
                        ", which the subtask does not own");
    return sections_[key_group].writer;
  }
  bool wants(int key_group) const override {
    return !written_ || !range_.contains(key_group) ||
           (*written_)[static_cast<std::size_t>(key_group - range_.first)];
  }

  /// Moves every section kept into `out` under the participant's name.
  void drain_into(key_group_file_builder& out) {
    for (auto& [key_group, section] : sections_) {
      if (!wants(key_group))
        continue;
      section.writer.finish();
      out.add(key_group, name_, signature_, std::move(section.bytes));
    }
  }

private:
  const std::string& owner_;
  const std::string& name_;
  const std::string& signature_;
  key_group_range range_;
  const std::vector<std::uint8_t>* written_;
  std::map<int, section_buffer> sections_;
};

} // namespace

/// The signature of a participant's blocks: its bytes have no type the backend could check.
const std::string keyed_state_backend::participant_signature = "participant";

const char* to_string(state_kind kind) {
  switch (kind) {
    case state_kind::value:
      return "value";
    case state_kind::list:
      return "list";
    case state_kind::map:
      return "map";
    case state_kind::reducing:
      return "reducing";
    case state_kind::aggregating:
      return "aggregating";
  }
  return "unknown";
}

keyed_state_base* keyed_state_backend::find_registered(const std::string& name,
                                                       const std::string& signature) const {
  auto it = states_.find(name);
  if (it == states_.end()) {
    if (participants_.count(name))
      throw state_error("operator '" + owner_ + "': state '" + name +
                        "' clashes with an internal state of the operator; choose another name");
    return nullptr;
  }
  if (it->second.signature != signature)
    throw state_error("operator '" + owner_ + "': state '" + name + "' is registered as " +
                      readable_signature(it->second.signature) + " and again as " +
                      readable_signature(signature) +
                      "; one name must keep one kind and type");
  return it->second.state.get();
}

void keyed_state_backend::add_registered(const std::string& name, const std::string& signature,
                                         std::unique_ptr<keyed_state_base> state) {
  states_[name] = registered{signature, std::move(state)};
}

void keyed_state_backend::restore_local(const local_keyed_copy& copy) { restore({copy.local}); }

std::shared_future<void> keyed_state_backend::prepare_handoff(int, int) {
  std::promise<void> nothing;
  nothing.set_value();
  return nothing.get_future().share();
}

std::size_t keyed_state_backend::entry_count(const std::string& name) {
  if (const auto p = participants_.find(name); p != participants_.end())
    if (const auto n = p->second->entry_count())
      return *n;
  check_registered(name);
  return count_entries(name);
}

void keyed_state_backend::check_registered(const std::string& name) const {
  if (!states_.count(name))
    throw state_error("operator '" + owner_ + "': no state '" + name + "' is registered");
}

void keyed_state_backend::register_participant(const std::string& name,
                                               keyed_snapshot_participant& p,
                                               const std::string& signature) {
  if (states_.count(name) || participants_.count(name))
    throw state_error("operator '" + owner_ + "': internal state '" + name +
                      "' is registered twice");
  // On the heap, a participant that tracks its changes keeps its sections where the states do.
  key_group_changes* changes = tracked_changes(p);
  take_restored(
      name, signature, [&](int key_group, byte_reader& in) { p.read_key_group(key_group, in); },
      changes != nullptr);
  if (changes)
    changes->track(range_, max_parallelism_);
  participants_[name] = &p;
  participant_signatures_[name] = signature;
}

std::size_t keyed_state_backend::key_size(std::string_view key_and_namespace,
                                          const std::string& name) const {
  if (!key_type_size_)
    throw state_error("operator '" + owner_ + "': state '" + name +
                      "' comes from a snapshot of the other state backend, and the operator "
                      "declared no key type to convert it with (set_key_type)");
  try {
    return key_type_size_(key_and_namespace);
  } catch (const serialization_error& e) {
    throw state_error("operator '" + owner_ + "': state '" + name +
                      "': a restored entry does not start with a key of the operator's key "
                      "type: " + e.what());
  }
}

keyed_state_backend::pending_state&
keyed_state_backend::pending_for(const std::string& name, const std::string& signature,
                                 const std::string& path) {
  auto [it, inserted] = pending_.try_emplace(name);
  auto& pending = it->second;
  if (inserted) {
    pending.signature = signature;
    pending.path = path;
  } else if (pending.signature != signature) {
    throw state_error("operator '" + owner_ + "': state '" + name + "' is " +
                      readable_signature(pending.signature) + " in snapshot '" + pending.path +
                      "' but " + readable_signature(signature) + " in '" + path + "'");
  }
  return pending;
}

void keyed_state_backend::restore_key_group_part(const keyed_state_part& part) {
  if (part.kind != keyed_state_part::format::heap_key_groups &&
      part.kind != keyed_state_part::format::heap_incremental)
    throw state_error("operator '" + owner_ + "': snapshot part '" + part.path +
                      "' is not a key-group file");
  if (std::max(part.range.first, range_.first) > std::min(part.range.last, range_.last))
    return;
  const auto keep = [&](const std::string& path, bool from_shared) {
    for (auto& [key_group, blocks] : read_key_group_file(path, range_))
      for (auto& block : blocks)
        pending_for(block.name, block.signature, path)
            .sections.push_back({key_group, std::move(block.bytes), from_shared});
  };
  keep(part.path, false);
  for (const auto& f : part.shared) {
    if (!range_.contains(shared_key_group(f)))
      continue;
    check_shared_file(owner_, part.path, f);
    keep(f.path, true);
  }
}

void keyed_state_backend::restore_rocksdb_entries(rocksdb_key_group_entries&& entries,
                                                  const std::string& path) {
  auto& pending = pending_for(entries.state, entries.signature, path);
  pending.rocksdb_format = entries.format;
  pending.rocksdb_entries.push_back(std::move(entries));
}

void keyed_state_backend::convert_rocksdb_entries(const std::string& name,
                                                  pending_state& pending) const {
  const auto split = [&](std::string_view key) { return key_size(key, name); };
  for (auto& group : pending.rocksdb_entries) {
    try {
      pending.sections.push_back(
          {group.key_group, heap_section_of_rocksdb(pending.rocksdb_format, group.entries, split)});
    } catch (const serialization_error& e) {
      throw state_error("operator '" + owner_ + "': state '" + name + "' restored from '" +
                        pending.path + "': key group " + std::to_string(group.key_group) +
                        " is unreadable: " + e.what());
    }
  }
  pending.rocksdb_entries.clear();
}

void keyed_state_backend::take_restored(const std::string& name, const std::string& signature,
                                        const std::function<void(int, byte_reader&)>& read,
                                        bool into_shared) {
  auto it = pending_.find(name);
  if (it == pending_.end())
    return;
  auto& pending = it->second;
  if (pending.signature != signature)
    throw state_error("operator '" + owner_ + "': state '" + name + "' was snapshot as " +
                      readable_signature(pending.signature) + " (file '" + pending.path +
                      "') and is registered as " + readable_signature(signature) +
                      "; one name must keep one kind and type");
  convert_rocksdb_entries(name, pending);
  for (auto& section : pending.sections) {
    if (kind_ == state_backend_kind::heap && section.from_shared != into_shared)
      moved_key_groups_.push_back(section.key_group);
    byte_reader in(section.bytes);
    try {
      read(section.key_group, in);
      if (!in.at_end())
        throw serialization_error(std::to_string(in.remaining()) + " bytes left unread");
    } catch (const serialization_error& e) {
      throw state_error("operator '" + owner_ + "': state '" + name + "' restored from '" +
                        pending.path + "': key group " + std::to_string(section.key_group) +
                        " is unreadable: " + e.what());
    }
  }
  pending_.erase(it);
}

key_group_changes* keyed_state_backend::tracked_changes(keyed_snapshot_participant& p) const {
  return kind_ == state_backend_kind::heap ? p.changes() : nullptr;
}

void keyed_state_backend::take_changed_key_groups(std::vector<std::uint8_t>& dirty) {
  for (auto& [name, participant] : participants_)
    if (auto* changes = tracked_changes(*participant))
      changes->take(dirty);
  for (int key_group : moved_key_groups_)
    dirty[static_cast<std::size_t>(key_group - range_.first)] = 1;
  moved_key_groups_.clear();
}

void keyed_state_backend::snapshot_participants(key_group_file_builder& out,
                                                key_group_file_builder* states,
                                                const std::vector<std::uint8_t>* written) {
  for (auto& [name, participant] : participants_) {
    const bool shared = states && tracked_changes(*participant);
    section_sink sink(owner_, name, participant_signatures_.at(name), range_,
                      shared ? written : nullptr);
    participant->write_snapshot(sink);
    sink.drain_into(shared ? *states : out);
  }
  for (auto& [name, pending] : pending_) {
    convert_rocksdb_entries(name, pending);
    for (auto& section : pending.sections) {
      if (!states || !section.from_shared)
        out.add(section.key_group, name, pending.signature, section.bytes);
      else if ((*written)[static_cast<std::size_t>(section.key_group - range_.first)])
        states->add(section.key_group, name, pending.signature, section.bytes);
    }
  }
}

std::string keyed_state_backend::snapshot_path(const std::string& dir, std::int64_t checkpoint_id,
                                               const std::string& suffix) const {
  std::string name;
  for (char c : owner_)
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return dir + "/" + name + "-kg" + std::to_string(range_.first) + "-" +
         std::to_string(range_.last) + "-chk" + std::to_string(checkpoint_id) + suffix;
}

void keyed_state_backend::check_handle_backend(const keyed_state_handle& handle) const {
  if (handle.backend != "heap" && handle.backend != "rocksdb")
    throw state_error("operator '" + owner_ + "': cannot restore a snapshot of the unknown '" +
                      handle.backend + "' state backend into the " + to_string(kind_) +
                      " backend");
}

void keyed_state_backend::throw_foreign_key_group(int key_group) const {
  throw state_error("operator '" + owner_ + "': a key of key group " + std::to_string(key_group) +
                    " reached the subtask that owns key groups " + std::to_string(range_.first) +
                    ".." + std::to_string(range_.last));
}

} // namespace sluice
