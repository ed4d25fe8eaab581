# `cmake --install`: headers, the static libraries and a CMake package config, so that another
# project does find_package(Sluice REQUIRED) and target_link_libraries(my_job PRIVATE
# Sluice::sluice). docs/install.md tells how.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
set(SLUICE_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/Sluice)

# A library of Sluice with its headers under include/ of the calling directory: usable from the
# build tree and, installed, from the install prefix.
function(sluice_install_library target)
  target_include_directories(${target} PUBLIC
                             $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
                             $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_features(${target} PUBLIC cxx_std_17)
  if(SLUICE_SANITIZE) # instrumented libraries need the sanitizers' runtimes wherever they link
    target_link_options(${target} INTERFACE -fsanitize=address,undefined)
  endif()
  install(TARGETS ${target} EXPORT SluiceTargets)
  install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endfunction()

# The package config, its version file and the exported targets (namespace Sluice::); called
# once, after every library was added.
function(sluice_install_package)
  install(EXPORT SluiceTargets NAMESPACE Sluice:: DESTINATION ${SLUICE_INSTALL_CMAKEDIR})
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/SluiceConfig.cmake.in
                                ${PROJECT_BINARY_DIR}/SluiceConfig.cmake
                                INSTALL_DESTINATION ${SLUICE_INSTALL_CMAKEDIR})
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/SluiceConfigVersion.cmake
                                   COMPATIBILITY SameMinorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/SluiceConfig.cmake
                ${PROJECT_BINARY_DIR}/SluiceConfigVersion.cmake
                ${PROJECT_SOURCE_DIR}/cmake/SluicePathDependencies.cmake
          DESTINATION ${SLUICE_INSTALL_CMAKEDIR})
endfunction()
