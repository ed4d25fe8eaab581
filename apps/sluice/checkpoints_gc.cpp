#include "checkpoints_gc.hpp"

#include "sluice/checkpoint/checkpoint_error.hpp"
#include "sluice/checkpoint/checkpoint_storage.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace sluice::cli {

namespace fs = std::filesystem;

namespace {

/// Whether `dir` looks like a job's checkpoint directory: it holds shared/ or a chk-N.
bool is_job_dir(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir / "shared", ec))
    return true;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename().string().rfind("chk-", 0) == 0 && it->is_directory(ec))
      return true;
  return false;
}

/// The job directories DIR stands for: itself, or those directly under it.
std::vector<fs::path> job_dirs(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw std::runtime_error("'" + dir.string() + "' is not a directory");
  if (is_job_dir(dir))
    return {dir};
  std::vector<fs::path> out;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_directory(ec) && is_job_dir(it->path()))
      out.push_back(it->path());
  if (out.empty())
    throw std::runtime_error("'" + dir.string() +
                             "' holds no job's checkpoints (no chk-N or shared/ directory in it "
                             "or in a directory under it)");
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

gc_result checkpoints_gc(const std::string& dir) {
  gc_result out{"", {{"jobs", nlohmann::json::array()}}};
  for (const auto& job : job_dirs(fs::path(dir).lexically_normal())) {
    checkpoint_storage storage(job.parent_path(), job.filename().string());
    try {
      // The sweep first: it removes nothing when a `_metadata` cannot be read.
      const auto removed = storage.sweep_shared();
      const auto incomplete = storage.discard_incomplete();
      nlohmann::json files = nlohmann::json::array();
      for (const auto& path : removed)
        files.push_back(path.string());
      out.text += job.string() + ": removed " + std::to_string(incomplete.size()) +
                  " incomplete checkpoints and " + std::to_string(removed.size()) +
                  " unreferenced shared files\n";
      out.json["jobs"].push_back({{"job_dir", job.string()},
                                  {"incomplete_checkpoints", incomplete},
                                  {"shared_files", files}});
    } catch (const checkpoint_error& e) {
      throw std::runtime_error(job.string() + ": " + e.what());
    }
  }
  return out;
}

} // namespace sluice::cli
