# CAF 0.17 and RocksDB ship no CMake package config in Debian: find them by path and define
# the imported targets caf::caf and rocksdb::rocksdb. Used by Sluice's own build
# (dependencies.cmake) and installed beside SluiceConfig.cmake for projects that link Sluice.
# On failure it defines no target and sets SLUICE_MISSING_DEPENDENCY to what is missing.
set(SLUICE_MISSING_DEPENDENCY "")

if(NOT TARGET caf::caf)
  find_path(CAF_INCLUDE_DIR caf/all.hpp)
  find_library(CAF_CORE_LIBRARY NAMES caf_core)
  find_library(CAF_IO_LIBRARY NAMES caf_io)
  if(NOT CAF_INCLUDE_DIR OR NOT CAF_CORE_LIBRARY OR NOT CAF_IO_LIBRARY)
    set(SLUICE_MISSING_DEPENDENCY "CAF 0.17 not found (Debian: apt-get install libcaf-dev)")
    return()
  endif()
  file(STRINGS "${CAF_INCLUDE_DIR}/caf/config.hpp" _caf_ver REGEX "^#define CAF_VERSION [0-9]+")
  string(REGEX REPLACE ".* ([0-9]+)" "\\1" CAF_VERSION_NUM "${_caf_ver}")
  if(CAF_VERSION_NUM LESS 1700 OR CAF_VERSION_NUM GREATER_EQUAL 1800)
    set(SLUICE_MISSING_DEPENDENCY "Sluice needs CAF 0.17.x, found CAF_VERSION=${CAF_VERSION_NUM}")
    return()
  endif()
  add_library(caf::caf INTERFACE IMPORTED)
  target_include_directories(caf::caf SYSTEM INTERFACE ${CAF_INCLUDE_DIR})
  target_link_libraries(caf::caf INTERFACE ${CAF_IO_LIBRARY} ${CAF_CORE_LIBRARY} Threads::Threads)
endif()

if(NOT TARGET rocksdb::rocksdb)
  find_path(ROCKSDB_INCLUDE_DIR rocksdb/db.h)
  find_library(ROCKSDB_LIBRARY NAMES rocksdb)
  if(NOT ROCKSDB_INCLUDE_DIR OR NOT ROCKSDB_LIBRARY)
    set(SLUICE_MISSING_DEPENDENCY "RocksDB not found (Debian: apt-get install librocksdb-dev)")
    return()
  endif()
  add_library(rocksdb::rocksdb INTERFACE IMPORTED)
  target_include_directories(rocksdb::rocksdb SYSTEM INTERFACE ${ROCKSDB_INCLUDE_DIR})
  target_link_libraries(rocksdb::rocksdb INTERFACE ${ROCKSDB_LIBRARY})
endif()

# cpp-httplib (the REST API's server, linked by sluice_actors): Debian's compiled library has a
# pkg-config file and no CMake config.
if(NOT TARGET PkgConfig::CPP_HTTPLIB)
  find_package(PkgConfig QUIET)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(CPP_HTTPLIB QUIET IMPORTED_TARGET GLOBAL cpp-httplib)
  endif()
  if(NOT TARGET PkgConfig::CPP_HTTPLIB)
    set(SLUICE_MISSING_DEPENDENCY "cpp-httplib not found (Debian: apt-get install libcpp-httplib-dev)")
    return()
  endif()
endif()

# CAF's OpenSSL module (libcaf_openssl, in libcaf-dev) and OpenSSL (libssl-dev): mutual TLS
# between a cluster's processes (docs/security.md).
if(NOT TARGET caf::openssl)
  find_library(CAF_OPENSSL_LIBRARY NAMES caf_openssl)
  find_package(OpenSSL QUIET)
  if(NOT CAF_OPENSSL_LIBRARY OR NOT OPENSSL_FOUND)
    set(SLUICE_MISSING_DEPENDENCY "CAF's OpenSSL module or OpenSSL not found (Debian: apt-get install libcaf-dev libssl-dev)")
    return()
  endif()
  add_library(caf::openssl INTERFACE IMPORTED)
  target_link_libraries(caf::openssl INTERFACE ${CAF_OPENSSL_LIBRARY} caf::caf OpenSSL::SSL
                        OpenSSL::Crypto)
endif()
