# SPDX-License-Identifier: MIT
# TinymlCompile.cmake: tinyml_add_model(), the build step of a firmware project.
#
#   tinyml_add_model(<target> MODEL <file.onnx>
#                    [NAME <c_name>]          # C prefix and file stem (default: <target>)
#                    [OUTPUT_DIR <dir>]       # default: ${CMAKE_CURRENT_BINARY_DIR}/<target>_model
#                    [OPTIONS <arg>...]       # extra `tinyml-compile compile` arguments,
#                                             # e.g. --kronecker auto --verify --test-data x.npy
#                    [DEPENDS <file>...])     # files the options read (data for --verify, ...)
#
# creates
#   - a custom command running `tinyml-compile compile <model> -o <dir> --name <name> --force
#     <options>`, re-run when the model, the tool, a DEPENDS file or the options change. The
#     options are stamped into <dir>.options at configure time (rewritten only when they change),
#     and the command depends on that file: editing OPTIONS and rebuilding regenerates the
#     sources even though no input file changed;
#   - <target>, a STATIC library of the generated <name>.c, compiled with the project's own (cross)
#     toolchain and flags; its include path has <name>.h, and it links TinymlCompile::runtime,
#     a STATIC library of every runtime kernel (created once, same toolchain; the linker keeps
#     only the kernels the model calls), which links the C math library (`m`) itself;
#   - a configure-time warning when the firmware is compiled without optimization (no -O in
#     CMAKE_C_FLAGS and CMAKE_C_FLAGS_<CONFIG>, e.g. no CMAKE_BUILD_TYPE): the kernels then run
#     about 3x slower (an LSTM classifier measured 21.7 M cycles at -O0 against 6.65 M at -O2).
#
# The tool: TINYML_COMPILE_EXECUTABLE when set (a path), else the imported target
# TinymlCompile::tinyml-compile (find_package), else the target tinyml-compile (a host project
# that add_subdirectory()s the tinyml-compile tree), else `tinyml-compile` on PATH. A firmware
# project cross-compiling with add_subdirectory() cannot build the host tool in its own tree, so
# it passes -DTINYML_COMPILE_EXECUTABLE=/path/to/tinyml-compile (see examples/firmware_project).
#
# The runtime sources: TINYML_COMPILE_RUNTIME_DIR (set by TinymlCompileConfig.cmake to the
# installed copy, share/tinyml-compile/runtime), else runtime/ next to this file's directory.
include_guard(GLOBAL)

# TinymlCompile::runtime, built once per build tree with the current toolchain.
function(_tinyml_add_runtime)
  if(TARGET tinyml_compile_runtime)
    return()
  endif()
  # The default is found from this file, so it holds in any directory scope.
  set(rt "${TINYML_COMPILE_RUNTIME_DIR}")
  if(NOT rt)
    get_filename_component(rt "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../runtime" ABSOLUTE)
  endif()
  if(NOT EXISTS "${rt}/include/tml_kernels.h")
    message(FATAL_ERROR "tinyml_add_model: no tinyml-compile runtime in '${rt}' "
                        "(set TINYML_COMPILE_RUNTIME_DIR)")
  endif()
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS "${rt}/src/*.c")
  list(SORT sources)
  add_library(tinyml_compile_runtime STATIC ${sources})
  target_include_directories(tinyml_compile_runtime PUBLIC "${rt}/include")
  # The kernels call expf, tanhf, floorf ...: every firmware linking the runtime needs libm.
  if(NOT MSVC)
    target_link_libraries(tinyml_compile_runtime PUBLIC m)
  endif()
  set_target_properties(tinyml_compile_runtime PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON
                                                          C_EXTENSIONS OFF)
  add_library(TinymlCompile::runtime ALIAS tinyml_compile_runtime)
endfunction()

# Warns when the C flags of the current configuration carry no optimization level.
function(_tinyml_warn_unoptimized target)
  get_property(multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(multi_config)
    return()
  endif()
  string(TOUPPER "${CMAKE_BUILD_TYPE}" config)
  set(flags "${CMAKE_C_FLAGS}")
  if(config)
    string(APPEND flags " ${CMAKE_C_FLAGS_${config}}")
  endif()
  if(NOT flags MATCHES "(^| )-O([1-3szg]|fast)( |$)")
    message(WARNING "tinyml_add_model(${target}): the firmware is compiled without optimization "
                    "(CMAKE_BUILD_TYPE '${CMAKE_BUILD_TYPE}', no -O1/-O2/-O3/-Os in the C flags "
                    "'${flags}'); the model then runs about 3x slower. Set "
                    "-DCMAKE_BUILD_TYPE=Release (or MinSizeRel) or add -O2.")
  endif()
endfunction()

function(tinyml_add_model target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "MODEL;NAME;OUTPUT_DIR" "OPTIONS;DEPENDS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "tinyml_add_model(${target}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_MODEL)
    message(FATAL_ERROR "tinyml_add_model(${target}): MODEL <file.onnx> is required")
  endif()
  get_filename_component(model "${ARG_MODEL}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${model}")
    message(FATAL_ERROR "tinyml_add_model(${target}): model '${model}' does not exist")
  endif()
  set(name "${target}")
  if(ARG_NAME)
    set(name "${ARG_NAME}")
  endif()
  if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "tinyml_add_model(${target}): NAME '${name}' is not a C identifier")
  endif()
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_model")
  if(ARG_OUTPUT_DIR)
    get_filename_component(out "${ARG_OUTPUT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  endif()

  if(TINYML_COMPILE_EXECUTABLE)
    set(tool "${TINYML_COMPILE_EXECUTABLE}")
    set(tool_dep "${TINYML_COMPILE_EXECUTABLE}")
  elseif(TARGET TinymlCompile::tinyml-compile)
    set(tool "$<TARGET_FILE:TinymlCompile::tinyml-compile>")
    set(tool_dep "$<TARGET_FILE:TinymlCompile::tinyml-compile>")
  elseif(TARGET tinyml-compile)
    set(tool "$<TARGET_FILE:tinyml-compile>")
    set(tool_dep tinyml-compile)
  else()
    find_program(TINYML_COMPILE_EXECUTABLE tinyml-compile)
    if(NOT TINYML_COMPILE_EXECUTABLE)
      message(FATAL_ERROR "tinyml_add_model(${target}): tinyml-compile not found; "
                          "set TINYML_COMPILE_EXECUTABLE")
    endif()
    set(tool "${TINYML_COMPILE_EXECUTABLE}")
    set(tool_dep "${TINYML_COMPILE_EXECUTABLE}")
  endif()

  # The stamp changes (and only changes) when the command line does.
  set(stamp "${out}.options")
  string(JOIN "\n" stamp_text "model=${model}" "name=${name}" ${ARG_OPTIONS})
  file(CONFIGURE OUTPUT "${stamp}" CONTENT "${stamp_text}\n" @ONLY)

  add_custom_command(
    OUTPUT "${out}/${name}.c" "${out}/${name}.h"
    COMMAND "${tool}" compile "${model}" -o "${out}" --name "${name}" --force ${ARG_OPTIONS}
    DEPENDS "${model}" "${stamp}" ${tool_dep} ${ARG_DEPENDS}
    COMMENT "tinyml-compile: ${ARG_MODEL} -> ${name}.c"
    VERBATIM)

  _tinyml_add_runtime()
  _tinyml_warn_unoptimized(${target})
  add_library(${target} STATIC "${out}/${name}.c" "${out}/${name}.h")
  target_include_directories(${target} PUBLIC "${out}")
  target_link_libraries(${target} PUBLIC TinymlCompile::runtime)
  set_target_properties(${target} PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON
                                             TINYML_MODEL_DIR "${out}")
endfunction()
