#pragma once
// Base64 (RFC 4648, standard alphabet, with padding) for the opaque blobs of `_metadata`.

#include <optional>
#include <string>

namespace sluice::detail {

std::string base64_encode(const std::string& bytes);
/// The bytes of `text`, or nullopt unless it is canonical padded base64.
std::optional<std::string> base64_decode(const std::string& text);

} // namespace sluice::detail
