#include "sluice/state/state_descriptor.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace sluice;

TEST_CASE("readable_signature spells the types of a signature in C++") {
  CHECK(readable_signature(state_type_signature<value_state_descriptor<int>>()) == "value:int");
  CHECK(readable_signature(state_type_signature<map_state_descriptor<int, std::vector<int>>>()) ==
        "map:int, std::vector<int, std::allocator<int> >");
  CHECK(readable_signature("participant") == "participant");
  CHECK(readable_signature("value:not a mangled name") == "value:not a mangled name");
}

TEST_CASE("state_type_signature tells types apart exactly") {
  CHECK(state_type_signature<value_state_descriptor<std::int32_t>>() !=
        state_type_signature<value_state_descriptor<std::int64_t>>());
  CHECK(state_type_signature<value_state_descriptor<std::string>>() ==
        state_type_signature<value_state_descriptor<std::string>>());
}
