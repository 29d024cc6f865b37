# SPDX-License-Identifier: MIT
# cmake -DSOURCE_DIR=<repo> -DBINARY_DIR=<its build> -DWORK_DIR=<scratch> -DCC=<host cc>
#       -P cmake_package_test.cmake
#
# tests/firmware/host_project against the tinyml-compile *build tree* (CMAKE_PREFIX_PATH =
# BINARY_DIR, nothing installed):
# 1. configured without CMAKE_BUILD_TYPE: tinyml_add_model() warns that the firmware is built
#    without optimization;
# 2. it builds with -Wall -Wextra -Werror -Wconversion -Wsign-conversion and links without `m`
#    given by hand (the runtime target brings it), and runs;
# 3. configured again with -DCMAKE_BUILD_TYPE=Release: no warning.
cmake_minimum_required(VERSION 3.20)

function(run)
  cmake_parse_arguments(ARG "" "OUT" "COMMAND" ${ARGN})
  execute_process(COMMAND ${ARG_COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(JOIN " " cmd ${ARG_COMMAND})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "FAILED (${rc}): ${cmd}\n${out}")
  endif()
  message(STATUS "ok: ${cmd}")
  if(ARG_OUT)
    set(${ARG_OUT} "${out}" PARENT_SCOPE)
  endif()
endfunction()

set(build ${WORK_DIR}/build)
file(REMOVE_RECURSE ${WORK_DIR})
set(args -S ${SOURCE_DIR}/tests/firmware/host_project -B ${build} -DCMAKE_C_COMPILER=${CC}
         -DCMAKE_PREFIX_PATH=${BINARY_DIR} -DMODEL=${SOURCE_DIR}/examples/kron_lstm/model.onnx)

run(COMMAND ${CMAKE_COMMAND} ${args} OUT out)
if(NOT out MATCHES "tinyml_add_model\\(clf\\): the firmware is compiled without optimization")
  message(FATAL_ERROR "no warning for a build without optimization:\n${out}")
endif()
run(COMMAND ${CMAKE_COMMAND} --build ${build} OUT out)
run(COMMAND ${build}/host_firmware OUT out)
if(NOT out MATCHES "clf_invoke: ok; output\\[0\\] = ")
  message(FATAL_ERROR "unexpected output:\n${out}")
endif()

run(COMMAND ${CMAKE_COMMAND} ${args} -DCMAKE_BUILD_TYPE=Release OUT out)
if(out MATCHES "without optimization")
  message(FATAL_ERROR "a Release build still warns:\n${out}")
endif()
message(STATUS "cmake_package: found in the build tree, linked without m, warned at -O0 only")
