#include "sluice/state/operator_state_backend.hpp"

#include "sluice/state/checked_file.hpp"
#include "sluice/state/state_error.hpp"

#include <algorithm>
#include <iterator>

namespace sluice {
namespace {

constexpr file_format format{"SLUICEOP", 1};

using elements = std::vector<std::vector<char>>;

/// One state's block in an operator state file.
struct state_block {
  std::string name;
  std::string signature;
  detail::operator_state_mode mode = detail::operator_state_mode::even_split;
  elements items;
};

void write_block(byte_writer& w, const state_block& b) {
  serialize(w, b.name);
  serialize(w, b.signature);
  serialize(w, static_cast<std::uint8_t>(b.mode));
  serialize(w, b.items);
}

state_block read_block(byte_reader& r) {
  state_block b;
  deserialize(r, b.name);
  deserialize(r, b.signature);
  const auto mode = deserialize<std::uint8_t>(r);
  if (mode > static_cast<std::uint8_t>(detail::operator_state_mode::broadcast))
    throw serialization_error("unknown redistribution mode " + std::to_string(mode));
  b.mode = static_cast<detail::operator_state_mode>(mode);
  deserialize(r, b.items);
  return b;
}

std::vector<state_block> read_operator_file(const std::string& path) {
  auto file = read_checked_file(path, format);
  auto r = file.body();
  try {
    std::vector<state_block> blocks;
    for (auto n = r.read_length(); n > 0; --n)
      blocks.push_back(read_block(r));
    if (!r.at_end())
      throw serialization_error(std::to_string(r.remaining()) + " bytes after the last state");
    return blocks;
  } catch (const serialization_error& e) {
    throw_malformed_file(path, e.what());
  }
}

/// One state's elements from every old subtask that had it, in subtask order.
struct gathered_state {
  std::string signature;
  detail::operator_state_mode mode;
  std::string path; ///< the first file it came from, for errors
  std::vector<elements> per_subtask;
};

/// The elements new subtask `index` of `parallelism` gets (see redistribution).
elements redistribute(gathered_state& g, int index, int parallelism) {
  if (g.mode == detail::operator_state_mode::broadcast)
    return std::move(g.per_subtask.front());
  elements all;
  for (auto& part : g.per_subtask)
    std::move(part.begin(), part.end(), std::back_inserter(all));
  if (g.mode == detail::operator_state_mode::union_all)
    return all;
  // Contiguous parts [i*n/p, (i+1)*n/p): their sizes differ by at most one.
  const auto n = all.size();
  const auto p = static_cast<std::size_t>(parallelism);
  const auto i = static_cast<std::size_t>(index);
  return elements(std::make_move_iterator(all.begin() + std::ptrdiff_t(i * n / p)),
                  std::make_move_iterator(all.begin() + std::ptrdiff_t((i + 1) * n / p)));
}

} // namespace

struct operator_state_backend::impl {
  struct registered {
    std::string signature;
    detail::operator_state_mode mode;
    std::unique_ptr<detail::operator_state_base> state;
  };
  struct restored {
    std::string signature;
    detail::operator_state_mode mode;
    std::string path;
    elements items;
  };

  std::string owner;
  std::map<std::string, registered> states;
  /// Elements restored for states not registered yet.
  std::map<std::string, restored> pending;

  std::string error_prefix(const std::string& name) const {
    return "operator '" + owner + "': operator state '" + name + "'";
  }
};

operator_state_backend::operator_state_backend(std::string owner)
    : impl_(std::make_unique<impl>()) {
  impl_->owner = std::move(owner);
}

operator_state_backend::~operator_state_backend() = default;

detail::operator_state_base& operator_state_backend::register_state(
    const std::string& name, const std::string& signature, detail::operator_state_mode mode,
    const std::function<std::unique_ptr<detail::operator_state_base>()>& make) {
  if (auto it = impl_->states.find(name); it != impl_->states.end()) {
    if (it->second.signature != signature)
      throw state_error(impl_->error_prefix(name) + " is registered as " + it->second.signature +
                        " and again as " + signature + "; one name must keep one kind and type");
    return *it->second.state;
  }
  auto state = make();
  if (auto it = impl_->pending.find(name); it != impl_->pending.end()) {
    auto& restored = it->second;
    if (restored.signature != signature)
      throw state_error(impl_->error_prefix(name) + " was snapshot as " + restored.signature +
                        " (file '" + restored.path + "') and is registered as " + signature);
    try {
      state->read_elements(restored.items);
    } catch (const serialization_error& e) {
      throw state_error(impl_->error_prefix(name) + " restored from '" + restored.path +
                        "' is unreadable: " + e.what());
    }
    impl_->pending.erase(it);
  }
  auto& ref = *state;
  impl_->states[name] = {signature, mode, std::move(state)};
  return ref;
}

std::function<operator_state_handle()>
operator_state_backend::snapshot_sync(std::int64_t checkpoint_id, const std::string& target_dir,
                                      int subtask_index) {
  // Synchronous part: every state's elements, and those restored for states not registered
  // since (so they outlive this checkpoint), serialized into memory.
  std::vector<state_block> blocks;
  for (auto& [name, r] : impl_->states) {
    blocks.push_back({name, r.signature, r.mode, {}});
    r.state->write_elements(blocks.back().items);
  }
  for (auto& [name, r] : impl_->pending)
    blocks.push_back({name, r.signature, r.mode, r.items});
  if (blocks.empty())
    return [subtask_index] { return operator_state_handle{"", subtask_index, 0}; };
  auto body = std::make_shared<std::vector<char>>();
  {
    byte_writer w(*body);
    w.write_varint(blocks.size());
    for (auto& b : blocks)
      write_block(w, b);
  }
  const auto path = target_dir + "/op-" + std::to_string(subtask_index) + "-" +
                    std::to_string(checkpoint_id) + ".state";
  // Asynchronous part (may run on another thread): writes the bytes captured above.
  return [body, path, subtask_index] {
    return operator_state_handle{path, subtask_index, write_checked_file(path, format, *body)};
  };
}

void operator_state_backend::restore(const std::vector<operator_state_handle>& all_handles,
                                     int subtask_index, int parallelism) {
  if (!impl_->states.empty())
    throw state_error("operator '" + impl_->owner +
                      "': restore must run before any operator state is registered");
  if (parallelism < 1 || subtask_index < 0 || subtask_index >= parallelism)
    throw state_error("operator '" + impl_->owner + "': subtask " +
                      std::to_string(subtask_index) + " of parallelism " +
                      std::to_string(parallelism) + " does not exist");
  auto handles = all_handles;
  std::sort(handles.begin(), handles.end(),
            [](auto& a, auto& b) { return a.subtask_index < b.subtask_index; });
  std::map<std::string, gathered_state> gathered;
  for (auto& handle : handles) {
    if (handle.path.empty())
      continue;
    for (auto& block : read_operator_file(handle.path)) {
      auto [it, inserted] = gathered.try_emplace(
          block.name, gathered_state{block.signature, block.mode, handle.path, {}});
      if (!inserted && it->second.signature != block.signature)
        throw state_error(impl_->error_prefix(block.name) + " is " + it->second.signature +
                          " in snapshot file '" + it->second.path + "' but " + block.signature +
                          " in '" + handle.path + "'");
      it->second.per_subtask.push_back(std::move(block.items));
    }
  }
  for (auto& [name, g] : gathered)
    impl_->pending[name] = {g.signature, g.mode, g.path,
                            redistribute(g, subtask_index, parallelism)};
}

} // namespace sluice
