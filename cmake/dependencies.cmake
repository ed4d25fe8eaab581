# Third-party libraries, all from Debian bookworm packages (scripts/setup.sh installs them).
# SluiceConfig.cmake.in finds the same ones for projects that link an installed Sluice.
find_package(Threads REQUIRED)

include(${CMAKE_CURRENT_LIST_DIR}/SluicePathDependencies.cmake)
if(SLUICE_MISSING_DEPENDENCY)
  message(FATAL_ERROR "${SLUICE_MISSING_DEPENDENCY}: run scripts/setup.sh")
endif()

find_package(nlohmann_json 3 REQUIRED)
find_package(spdlog REQUIRED)
find_package(yaml-cpp REQUIRED)
if(SLUICE_BUILD_TESTS)
  find_package(doctest REQUIRED)
endif()
