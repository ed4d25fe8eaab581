// The key groups a rescale moves away, prepared into SST files while the job runs
// (rocksdb_moves.hpp), and their ingestion by the successor (rocksdb_instance::ingest_moves).

#include "rocksdb_moves.hpp"

#include "sluice/state/rocksdb/rocksdb_layout.hpp"

#include <rocksdb/sst_file_writer.h>

#include <filesystem>
#include <fstream>
#include <system_error>

namespace fs = std::filesystem;

namespace sluice {

namespace {

/// Changes kept in memory at most (since the snapshot, or since they were last written); beyond,
/// the moves are dropped and the successor copies the key groups out of the checkpoint as
/// without them.
constexpr std::size_t max_change_bytes = std::size_t{256} << 20;

const char* const manifest_name = "MANIFEST";

int key_group_of(std::string_view key) {
  return (static_cast<unsigned char>(key[0]) << 8) | static_cast<unsigned char>(key[1]);
}

std::string range_name(key_group_range r) {
  return std::to_string(r.first) + "-" + std::to_string(r.last);
}

} // namespace

rocksdb_moves::rocksdb_moves(rocksdb_instance::impl& d, std::vector<key_group_range> ranges,
                             std::string dir)
    : d_(d), ranges_(std::move(ranges)), dir_(std::move(dir)),
      writer_options_(make_db_options(*d.resources), d.column_options(false)),
      files_(ranges_.size()) {
  std::error_code ec;
  fs::remove_all(dir_, ec);
  for (std::size_t r = 0; r < ranges_.size(); ++r) {
    fs::create_directories(range_dir(r), ec);
    if (ec)
      throw state_error("operator '" + d.owner + "': cannot create '" + range_dir(r) +
                        "': " + ec.message());
  }
  states_.resize(d.columns.size());
  for (std::size_t i = 1; i < d.columns.size(); ++i)
    states_[i] = {d.columns[i].state, d.columns[i].handle};
  if (!ranges_.empty()) // else nothing is read at it: the snapshot would only hold old versions
    snapshot_ = d.db->GetSnapshot();
  std::vector<rocksdb::ColumnFamilyHandle*> columns;
  for (const auto& c : d.columns)
    columns.push_back(c.handle);
  prepared_ = std::async(std::launch::async, [this, columns] {
                write_snapshot_files();
                check(d_.db->Flush(rocksdb::FlushOptions(), columns), d_.owner,
                      "flushing its memtables");
                snapshot_written_.store(true, std::memory_order_release);
              }).share();
}

rocksdb_moves::~rocksdb_moves() {
  if (prepared_.valid())
    prepared_.wait();
  if (snapshot_)
    d_.db->ReleaseSnapshot(snapshot_);
}

std::string rocksdb_moves::range_dir(std::size_t r) const {
  return (fs::path(dir_) / range_name(ranges_[r])).string();
}

void rocksdb_moves::write_snapshot_files() {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot_;
  read.fill_cache = false;
  for (std::size_t r = 0; r < ranges_.size(); ++r) {
    const auto begin = rocksdb_layout::key_group_start(ranges_[r].first);
    const auto end = rocksdb_layout::key_group_start(ranges_[r].last + 1);
    const rocksdb::Slice end_slice(end);
    read.iterate_upper_bound = &end_slice;
    for (std::size_t i = 1; i < states_.size(); ++i) {
      const auto& [state, handle] = states_[i];
      const auto file = std::to_string(i) + "-snapshot.sst";
      std::unique_ptr<rocksdb::Iterator> it(d_.db->NewIterator(read, handle));
      if (write_sst_file(*it, begin, writer_options_, (fs::path(range_dir(r)) / file).string(),
                         d_.owner, "state '" + state + "'") > 0)
        files_[r].emplace_back(file, state);
    }
  }
}

bool rocksdb_moves::moving(std::string_view key) const {
  if (key.size() < rocksdb_layout::key_group_bytes)
    return false;
  const int group = key_group_of(key);
  for (const auto& r : ranges_)
    if (r.contains(group))
      return true;
  return false;
}

void rocksdb_moves::record(int cf, std::string_view key, change c) {
  if (rounds_ == 0 && !changes_.empty() && failure_.empty() &&
      snapshot_written_.load(std::memory_order_acquire))
    write_early();
  if (!failure_.empty() || cf == 0 || !moving(key))
    return;
  auto [it, added] = changes_.try_emplace({cf, std::string(key)});
  if (added)
    change_bytes_ += key.size();
  else if (it->second.value)
    change_bytes_ -= it->second.value->size();
  if (c.value)
    change_bytes_ += c.value->size();
  it->second = std::move(c);
  if (change_bytes_ > max_change_bytes) {
    failure_ = "operator '" + d_.owner + "': more than " + std::to_string(max_change_bytes >> 20) +
               " MiB were written into the moving key groups while they were prepared";
    changes_.clear();
  }
}

void rocksdb_moves::write_early() {
  try {
    write_changes();
  } catch (const std::exception& e) {
    failure_ = e.what();
    changes_.clear();
  }
}

void rocksdb_moves::write_changes() {
  const auto what = "directory '" + dir_ + "'";
  ++rounds_;
  for (std::size_t r = 0; r < ranges_.size(); ++r) {
    std::unique_ptr<rocksdb::SstFileWriter> writer;
    std::string file;
    int cf = 0;
    const auto close = [&] {
      if (!writer)
        return;
      check(writer->Finish(), d_.owner, what);
      files_[r].emplace_back(file, d_.columns[static_cast<std::size_t>(cf)].state);
      writer.reset();
    };
    std::string merged;
    for (auto& [where, c] : changes_) {
      if (!ranges_[r].contains(key_group_of(where.second)))
        continue;
      if (where.first != cf || !writer) {
        close();
        cf = where.first;
        file = std::to_string(cf) + "-changes-" + std::to_string(rounds_) + ".sst";
        writer = new_sst_writer(writer_options_);
        check(writer->Open((fs::path(range_dir(r)) / file).string()), d_.owner, what);
      }
      auto* handle = d_.columns[static_cast<std::size_t>(cf)].handle;
      const auto* value = c.value ? &*c.value : nullptr;
      if (c.merged) {
        const auto s = d_.db->Get(d_.read, handle, where.second, &merged);
        if (!s.IsNotFound()) {
          check(s, d_.owner, d_.what(cf));
          value = &merged;
        }
      }
      check(value ? writer->Put(where.second, *value) : writer->Delete(where.second), d_.owner,
            what);
    }
    close();
  }
  changes_.clear();
  change_bytes_ = 0;
}

void rocksdb_moves::put(int cf, std::string_view key, std::string_view value) {
  record(cf, key, {std::string(value), false});
}

void rocksdb_moves::merge(int cf, std::string_view key) { record(cf, key, {std::nullopt, true}); }

void rocksdb_moves::remove(int cf, std::string_view key) {
  record(cf, key, {std::nullopt, false});
}

void rocksdb_moves::finish() {
  prepared_.get();
  if (!failure_.empty())
    throw state_error(failure_);
  write_changes();
  for (std::size_t r = 0; r < ranges_.size(); ++r) {
    auto& files = files_[r];
    std::unique_ptr<rocksdb::Iterator> metadata(d_.db->NewIterator(d_.read, d_.columns[0].handle));
    if (write_sst_file(*metadata, {}, writer_options_,
                       (fs::path(range_dir(r)) / "metadata.sst").string(), d_.owner,
                       d_.what(0)) > 0)
      files.emplace_back("metadata.sst", std::string());
    std::ofstream manifest(fs::path(range_dir(r)) / manifest_name);
    for (const auto& [name, state] : files) {
      if (state.find('\n') != std::string::npos)
        throw state_error("operator '" + d_.owner + "': state '" + state +
                          "' has a line break in its name: a MANIFEST line cannot name it");
      manifest << name << '\t' << state << '\n';
    }
    manifest.close();
    if (!manifest)
      throw state_error("operator '" + d_.owner + "': cannot write the MANIFEST of '" +
                        range_dir(r) + "'");
  }
}

std::shared_future<void> rocksdb_instance::prepare_moves(std::vector<key_group_range> ranges,
                                                        const std::string& dir) {
  write_back_caches();
  moves_.reset();
  moves_ = std::make_unique<rocksdb_moves>(opened(), std::move(ranges), dir);
  return moves_->prepared();
}

std::string rocksdb_instance::finish_moves() {
  if (!moves_)
    return {};
  write_back_caches();
  const auto moves = std::move(moves_);
  moves->finish();
  return moves->empty() ? std::string() : moves->dir();
}

void rocksdb_instance::cancel_moves() {
  if (!moves_)
    return;
  const auto dir = moves_->dir();
  moves_.reset();
  std::error_code ec;
  fs::remove_all(dir, ec);
}

bool rocksdb_instance::ingest_moves(const std::string& dir) {
  auto& d = opened();
  std::ifstream manifest(fs::path(dir) / manifest_name);
  if (!manifest)
    return false;
  std::vector<std::pair<std::string, std::string>> files;
  for (std::string line; std::getline(manifest, line);) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos || !fs::is_regular_file(fs::path(dir) / line.substr(0, tab)))
      return false;
    files.emplace_back(line.substr(0, tab), line.substr(tab + 1));
  }
  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = true;
  // The files stay as written: ingesting one links it in, and its sequence number goes into the
  // MANIFEST, not into the file (which another successor, or a retry, may ingest as well).
  ingest.write_global_seqno = false;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& [file, state] = files[i];
    int cf = state.empty() ? 0 : d.find(state);
    if (cf < 0)
      cf = d.create(state);
    // A link of its own, which ingesting moves into the instance: the hand-off's file stays.
    const auto link = (fs::path(d.dir) / ("moved-" + std::to_string(i) + ".sst")).string();
    std::error_code ec;
    fs::remove(link, ec);
    fs::create_hard_link(fs::path(dir) / file, link, ec);
    if (ec)
      fs::copy_file(fs::path(dir) / file, link, ec);
    if (ec)
      throw state_error("operator '" + d.owner + "': cannot take '" + file + "' from '" + dir +
                        "': " + ec.message());
    check(d.db->IngestExternalFile(d.columns[static_cast<std::size_t>(cf)].handle, {link}, ingest),
          d.owner, d.what(cf) + " (ingesting '" + (fs::path(dir) / file).string() + "')");
  }
  for (std::size_t i = 1; i < d.columns.size(); ++i)
    d.load_format(static_cast<int>(i), nullptr);
  return true;
}

} // namespace sluice
