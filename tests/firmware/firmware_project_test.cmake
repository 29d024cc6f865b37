# cmake -DMODE=add_subdirectory|find_package -DSOURCE_DIR=<repo> -DBINARY_DIR=<its build>
#       -DTOOL=<tinyml-compile> -DWORK_DIR=<scratch> -P firmware_project_test.cmake
#
# 1. configure examples/firmware_project for the Cortex-M4 (arm-none-eabi toolchain file) and
#    build it: tinyml_add_model() generates detector.c and the firmware links it;
# 2. run firmware.elf in the emulator: both sample frames and the digit sequence classified as
#    labelled (exit code 0); the int8 streaming model's outputs equal `verify`'s bit for bit;
# 3. build again: nothing is regenerated;
# 4. change MODEL_OPTIONS (another percentile) and build: the sources are regenerated with it.
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

set(project_dir ${SOURCE_DIR}/examples/firmware_project)
set(build ${WORK_DIR}/build)
file(REMOVE_RECURSE ${WORK_DIR})
set(args -S ${project_dir} -B ${build}
         -DCMAKE_TOOLCHAIN_FILE=${project_dir}/cmake/arm-none-eabi.cmake)
if(MODE STREQUAL "find_package")
  run(COMMAND ${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${WORK_DIR}/prefix)
  list(APPEND args -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
  set(tool ${WORK_DIR}/prefix/bin/tinyml-compile)
elseif(MODE STREQUAL "add_subdirectory")
  list(APPEND args -DTINYML_COMPILE_SOURCE_DIR=${SOURCE_DIR} -DTINYML_COMPILE_EXECUTABLE=${TOOL})
  set(tool ${TOOL})
else()
  message(FATAL_ERROR "MODE must be add_subdirectory or find_package")
endif()

# 1. Configure and build.
run(COMMAND ${CMAKE_COMMAND} ${args})
run(COMMAND ${CMAKE_COMMAND} --build ${build} OUT out)
if(NOT out MATCHES "tinyml-compile: .*model.onnx -> detector.c")
  message(FATAL_ERROR "the first build did not generate the model sources:\n${out}")
endif()
foreach(f firmware.elf detector_model/detector.c detector_model/detector.h)
  if(NOT EXISTS ${build}/${f})
    message(FATAL_ERROR "missing ${build}/${f}")
  endif()
endforeach()
file(READ ${build}/detector_model/detector.h header)
if(NOT header MATCHES "99th percentile" OR NOT header MATCHES "int detector_score")
  message(FATAL_ERROR "detector.h lacks the anomaly scorer:\n${header}")
endif()

# 2. Run it: both frames and the digit classified as labelled (exit code 0).
run(COMMAND ${tool} emulate ${build}/firmware.elf OUT out)
message(STATUS "${out}")
if(NOT out MATCHES "exit code 0" OR NOT out MATCHES "frame 1 \\(faulty\\): score [0-9.]+ > threshold"
   OR NOT out MATCHES "digit: 7 \\(as labelled\\)")
  message(FATAL_ERROR "unexpected firmware output:\n${out}")
endif()

# 2b. The int8 streaming model (digits_step_s8 on the caller's arena in .model_arena) gives
#     the outputs `verify` computes with digits_invoke on the same sequence, bit for bit.
file(READ ${build}/firmware.map map)
if(NOT map MATCHES "\\.model_arena[ \t\n]+0x2")
  message(FATAL_ERROR "no .model_arena section in RAM in firmware.map")
endif()
run(COMMAND ${tool} verify ${build}/digits_model --test-data ${project_dir}/sample_sequence.npy
            --save-outputs ${WORK_DIR}/digits_verify.npy)
run(COMMAND ${E2E_TOOL} npy-hex ${WORK_DIR}/digits_verify.npy OUT expected)
string(REGEX MATCHALL "output\\[[0-9]+\\] = 0x[0-9a-f]+" expected_lines "${expected}")
string(REGEX MATCHALL "digits output\\[[0-9]+\\] = 0x[0-9a-f]+" firmware_lines "${out}")
list(TRANSFORM firmware_lines REPLACE "^digits " "")
list(LENGTH expected_lines n_expected)
if(n_expected EQUAL 0 OR NOT firmware_lines STREQUAL expected_lines)
  message(FATAL_ERROR "firmware (digits_step_s8) and verify (digits_invoke) outputs differ:\n"
                      "firmware: ${firmware_lines}\nverify:   ${expected_lines}")
endif()
message(STATUS "digits: ${n_expected} outputs of digits_step_s8 in the firmware == verify's")

# 3. A no-op build regenerates nothing.
file(TIMESTAMP ${build}/detector_model/detector.c before)
run(COMMAND ${CMAKE_COMMAND} --build ${build} OUT out)
if(out MATCHES "tinyml-compile: ")
  message(FATAL_ERROR "a no-op build regenerated the model:\n${out}")
endif()

# 4. Another option: regenerated, and the new threshold is in the header.
run(COMMAND ${CMAKE_COMMAND} ${args}
    "-DMODEL_OPTIONS=--anomaly --calib ${SOURCE_DIR}/examples/dense_autoencoder/calib_x.npy --anomaly-percentile 95")
run(COMMAND ${CMAKE_COMMAND} --build ${build} OUT out)
if(NOT out MATCHES "tinyml-compile: .*model.onnx -> detector.c")
  message(FATAL_ERROR "changing MODEL_OPTIONS did not regenerate the model:\n${out}")
endif()
file(READ ${build}/detector_model/detector.h header)
if(NOT header MATCHES "95th percentile")
  message(FATAL_ERROR "detector.h was not regenerated with the new option:\n${header}")
endif()
run(COMMAND ${tool} emulate ${build}/firmware.elf OUT out)
if(NOT out MATCHES "exit code 0")
  message(FATAL_ERROR "unexpected firmware output after the option change:\n${out}")
endif()
message(STATUS "firmware_project (${MODE}): built, ran, regenerated on an option change")
