#include "sluice/actors/checkpoint_ids.hpp"

#include <cctype>

namespace sluice {

std::string job_id_of(const std::string& job_name) {
  std::string id;
  for (char c : job_name)
    id += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ? c : '_';
  if (id.empty() || id == "." || id == "..")
    return "job";
  return id;
}

std::string operator_uid(const stream_node& node) {
  return node.uid.empty() ? std::to_string(node.id) + "-" + node.name : node.uid;
}

} // namespace sluice
