# sluice_forbid_includes(target name root subdirectory): compiling `target` fails if one of its
# sources includes, directly or through any other header, a header under root/subdirectory
# (`name` says what they hold, in the message). Include paths keep Sluice's own modules apart;
# this covers what lies on the system's include path anyway, such as CAF. Each such header gets
# a stand-in of the same name that is an #error, in a directory searched first, for `target`
# only.
function(sluice_forbid_includes target name root subdirectory)
  set(stand_ins ${CMAKE_CURRENT_BINARY_DIR}/${target}_forbidden_includes)
  file(GLOB_RECURSE headers RELATIVE ${root} ${root}/${subdirectory}/*)
  foreach(header IN LISTS headers)
    file(CONFIGURE OUTPUT ${stand_ins}/${header}
         CONTENT "#error \"${target} must not include ${name}: ${header}\"\n")
  endforeach()
  target_include_directories(${target} BEFORE PRIVATE ${stand_ins})
endfunction()
