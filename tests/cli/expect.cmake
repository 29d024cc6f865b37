# Runs one command and checks how it ends. Used by tests/cli/CMakeLists.txt:
#   cmake -DCMD=<args joined by @@> -DEXIT=<code> [-DMATCH=<regex>] [-DMATCH2=<regex>]
#         [-DNOFILE=<path that must not exist afterwards>] -P expect.cmake
# Every failing case must also end cleanly: one "error:" line, no crash, no
# stack trace, no exception text.
string(REPLACE "@@" ";" CMD "${CMD}")
execute_process(COMMAND ${CMD} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("exit ${code}\nstdout:\n${out}\nstderr:\n${err}")
if(NOT code STREQUAL "${EXIT}")
  message(FATAL_ERROR "expected exit code ${EXIT}, got ${code}")
endif()
foreach(pattern IN ITEMS "${MATCH}" "${MATCH2}")
  if(pattern AND NOT "${out}${err}" MATCHES "${pattern}")
    message(FATAL_ERROR "output does not match '${pattern}'")
  endif()
endforeach()
if("${err}" MATCHES "terminate called|Aborted|Segmentation|what\\(\\)|internal error")
  message(FATAL_ERROR "the command crashed or threw instead of reporting a clear error")
endif()
if(NOT EXIT EQUAL 0)
  string(REGEX MATCHALL "\n" lines "${err}")
  list(LENGTH lines line_count)
  if(line_count GREATER 1)
    message(FATAL_ERROR "the error must be one line, got ${line_count}")
  endif()
endif()
if(NOFILE AND EXISTS "${NOFILE}")
  message(FATAL_ERROR "${NOFILE} was left behind")
endif()
