#pragma once
// "Did you mean ...?" for a misspelt flag or configuration key.

#include <optional>
#include <string>
#include <vector>

namespace sluice {

/// The name among `known` closest to `name` by edit distance (insertions, deletions,
/// substitutions and swaps of neighbours each count 1), if it is close enough to be a likely
/// misspelling: at most 2 edits, or a third of the name's length for longer names. The first
/// of equally close names wins.
std::optional<std::string> nearest_name(const std::string& name,
                                        const std::vector<std::string>& known);

} // namespace sluice
