#include "sluice/state/state_descriptor.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace sluice {
namespace {

/// The C++ spelling of the type whose typeid name is `mangled`, or `mangled` if it has none.
std::string demangle(const std::string& mangled) {
  int status = 0;
  const std::unique_ptr<char, void (*)(void*)> name(
      abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? std::string(name.get()) : mangled;
}

} // namespace

std::string readable_signature(const std::string& signature) {
  const auto colon = signature.find(':');
  if (colon == std::string::npos)
    return signature;
  std::string out = signature.substr(0, colon + 1);
  // Mangled names hold no commas: the commas separate the type names.
  for (auto start = colon + 1;;) {
    const auto comma = signature.find(',', start);
    out += demangle(signature.substr(start, comma - start));
    if (comma == std::string::npos)
      return out;
    out += ", ";
    start = comma + 1;
  }
}

} // namespace sluice
