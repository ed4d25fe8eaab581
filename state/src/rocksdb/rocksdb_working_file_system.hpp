#pragma once
// The file system of a RocksDB instance's working directory: it syncs nothing there but the SST
// files RocksDB writes (flushes, compactions). Checkpoints, not the instance directory, make
// state durable (a failed subtask restores from its last checkpoint, never from its own
// directory), and a checkpoint links those SST files and copies the rest, syncing its copies.
// So the syncs of the MANIFEST, CURRENT, OPTIONS, directories and ingested files (already synced
// by their writer) would only make the job wait: a successor's open and ingestion did little
// else while a rescale stood still. Files outside the directory (a RocksDB checkpoint being
// created) are synced as always.

#include <rocksdb/env.h>

#include <memory>
#include <string>

namespace sluice {

/// An Env for the RocksDB instance in `dir` (the path given to DB::Open), with RocksDB's threads.
std::unique_ptr<rocksdb::Env> make_working_env(const std::string& dir);

} // namespace sluice
