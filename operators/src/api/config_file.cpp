#include "config_file.hpp"

#include "sluice/operators/api/job_config.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace sluice {

namespace {

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw config_error("flag --config: cannot read '" + path + "': " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string where(const std::string& path, const YAML::Mark& mark) {
  return path + ":" + std::to_string(mark.line + 1);
}

const char* kind_of(const YAML::Node& node) {
  switch (node.Type()) {
  case YAML::NodeType::Sequence:
    return "a list";
  case YAML::NodeType::Map:
    return "a mapping";
  default:
    return "nothing";
  }
}

} // namespace

std::vector<config_entry> read_config_file(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::Load(read_whole(path));
  } catch (const YAML::ParserException& e) {
    throw config_error(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                       std::to_string(e.mark.column + 1) + ": bad YAML syntax: " + e.msg);
  }
  if (root.IsNull())
    return {};
  if (!root.IsMap())
    throw config_error(where(path, root.Mark()) +
                       ": expected 'key: value' lines (a YAML mapping), found " +
                       (root.IsScalar() ? std::string("a single value") : kind_of(root)));
  std::vector<config_entry> entries;
  std::map<std::string, int> first_line;
  for (const auto& kv : root) {
    const auto line = kv.first.Mark().line + 1;
    if (!kv.first.IsScalar())
      throw config_error(where(path, kv.first.Mark()) + ": a key must be a flag name, not " +
                         kind_of(kv.first));
    auto key = kv.first.Scalar();
    auto [seen, fresh] = first_line.emplace(key, line);
    if (!fresh)
      throw config_error(path + ":" + std::to_string(line) + ": key '" + key +
                         "' is given twice (first on line " + std::to_string(seen->second) +
                         ")");
    if (kv.second.IsScalar())
      entries.push_back({std::move(key), kv.second.Scalar(), line, {}});
    else
      entries.push_back({std::move(key), {}, line, kind_of(kv.second)});
  }
  return entries;
}

} // namespace sluice
