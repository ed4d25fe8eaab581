# cmake -DOBJECTS=<objects> -DDIRECTORIES=<dirs> -DNAME=<what> -DTARGET=<target> -DSTAMP=<file>
#       -P check_includes.cmake
# Fails if the dependency file of one of the objects (<object>.d) names a header under one of
# the directories; else touches STAMP. Run by sluice_forbid_includes (forbidden_includes.cmake).
file(REMOVE ${STAMP})
foreach(object IN LISTS OBJECTS)
  if(NOT EXISTS ${object}.d)
    message(FATAL_ERROR "${TARGET}: no dependency file ${object}.d to check its includes")
  endif()
  file(READ ${object}.d dependencies)
  foreach(directory IN LISTS DIRECTORIES)
    string(FIND "${dependencies}" "${directory}/" at)
    if(at GREATER_EQUAL 0)
      string(SUBSTRING "${dependencies}" ${at} -1 rest)
      string(REGEX MATCH "^[^ \t\r\n\\]+" header "${rest}")
      get_filename_component(source ${object} NAME_WLE)
      message(FATAL_ERROR "${TARGET} must not include ${NAME}: ${source} reaches ${header}")
    endif()
  endforeach()
endforeach()
file(TOUCH ${STAMP})
