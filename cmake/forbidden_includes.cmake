# sluice_forbid_includes(target name directory...): building `target` fails if one of its sources
# includes, directly or through any other header, a header under one of the directories (`name`
# says what they hold, in the message). Include paths keep Sluice's own modules apart; this
# covers what lies on the system's include path anyway, such as CAF. The check reads the
# dependency files the compiler writes beside the objects (<object>.d, from -MD) once they are
# built; the target `<target>_includes` runs it, part of `all` (a library linking `target` may
# depend on it too, so that building any of its users checks).
set(SLUICE_CHECK_INCLUDES_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/check_includes.cmake)

function(sluice_forbid_includes target name)
  set(stamp ${CMAKE_CURRENT_BINARY_DIR}/${target}_includes_checked)
  set(objects $<TARGET_OBJECTS:${target}>)
  add_custom_command(OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} "-DOBJECTS=${objects}" "-DDIRECTORIES=${ARGN}" -DNAME=${name}
            -DTARGET=${target} -DSTAMP=${stamp} -P ${SLUICE_CHECK_INCLUDES_SCRIPT}
    DEPENDS ${target} ${objects} ${SLUICE_CHECK_INCLUDES_SCRIPT}
    COMMENT "Checking that ${target} includes no ${name} header"
    VERBATIM)
  add_custom_target(${target}_includes ALL DEPENDS ${stamp})
endfunction()
