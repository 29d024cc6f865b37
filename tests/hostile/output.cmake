# Output files and directories, data that must be refused before anything is
# written, names that reach C, and byte-identical output (issue "Hostile input",
# items 1, 4, 7, 10, 11, 14).
set(O ${HOSTILE_OUT}/output)
execute_process(COMMAND ${TML_HOSTILE_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/make_output_cases.py ${O}
                RESULT_VARIABLE gen_result)
if(NOT gen_result EQUAL 0)
  message(FATAL_ERROR "tests/hostile/make_output_cases.py failed (run scripts/install-deps.sh)")
endif()
# A planted symlink where --report will write; its target must never appear.
file(REMOVE ${O}/report_link.json)
file(CREATE_LINK ${O}/never_written.json ${O}/report_link.json SYMBOLIC)
set(AE ${PROJECT_SOURCE_DIR}/examples/lstm_autoencoder)

# 1. Zero test samples: a clear error, not a division by zero.
tml_hostile_test(zero_test_samples EXIT 2 MATCH "zero_samples\\.npy: no test samples"
  NOFILE ${O}/zero_out
  COMMAND ${TOOL} compile ${O}/tiny.onnx -o ${O}/zero_out --force --verify --test-data ${O}/zero_samples.npy)
# 4. --report through a planted symlink: refused, nothing written through it.
tml_hostile_test(report_through_symlink EXIT 2 MATCH "report_link\\.json: exists and is a symbolic link"
  NOFILE ${O}/never_written.json
  COMMAND ${TOOL} compile ${O}/tiny.onnx -o ${O}/report_out --force --verify --test-data ${O}/x.npy
          --report ${O}/report_link.json)
# 7. NaN/Inf calibration data: refused, naming the file (int8 ranges, anomaly threshold).
tml_hostile_test(nan_calibration_int8 EXIT 2 MATCH "nan_calib\\.npy: holds 2 NaN/Inf values"
  COMMAND ${TOOL} compile ${O}/tiny.onnx -o ${O}/nan_int8 --force --quantize int8 --calib ${O}/nan_calib.npy)
tml_hostile_test(nan_calibration_anomaly EXIT 2 MATCH "nan_calib\\.npy: holds 2 NaN/Inf values"
  COMMAND ${TOOL} compile ${O}/tiny_ae.onnx -o ${O}/nan_ae --force --anomaly --calib ${O}/nan_calib.npy)
# 10. --name must not shadow a C header or be a keyword.
tml_hostile_test(name_shadows_header EXIT 2 MATCH "--name 'stdint' is the name of a standard C header"
  NOFILE ${O}/name_out
  COMMAND ${TOOL} compile ${O}/tiny.onnx -o ${O}/name_out --name stdint)
tml_hostile_test(name_is_keyword EXIT 2 MATCH "--name 'int' is a C keyword"
  COMMAND ${TOOL} compile ${O}/tiny.onnx -o ${O}/name_out --name int)
# 11. An output directory that holds an input is refused (--force would delete it).
tml_hostile_test(output_holds_input EXIT 2 MATCH "inside: holds the input .*model\\.onnx"
  COMMAND ${TOOL} compile ${O}/inside/model.onnx -o ${O}/inside --force)
# 11. A compile that fails on bad verify data leaves the old output as it was.
add_test(NAME hostile.failed_compile_keeps_old_output
  COMMAND sh -c "set -e; T='$<TARGET_FILE:tinyml-compile>'; D='${O}/keep_old'; rm -rf \"$D\"; \"$T\" compile '${O}/tiny.onnx' -o \"$D\" --name before >/dev/null; if \"$T\" compile '${O}/tiny.onnx' -o \"$D\" --force --name after --verify --test-data '${O}/ints.npy'; then echo 'expected a failure'; exit 1; fi; test -f \"$D/before.c\"; test ! -e \"$D/after.c\"; echo 'old output kept'")
# 11. Temporary directories of the same output left by a killed run are cleaned up.
add_test(NAME hostile.stale_temporaries_removed
  COMMAND sh -c "set -e; D='${O}/stale'; rm -rf \"$D\" '${O}/.stale.tmp-999999999' '${O}/.stale.old-999999999'; mkdir -p '${O}/.stale.tmp-999999999' '${O}/.stale.old-999999999'; '$<TARGET_FILE:tinyml-compile>' compile '${O}/tiny.onnx' -o \"$D\" >/dev/null; test ! -e '${O}/.stale.tmp-999999999'; test ! -e '${O}/.stale.old-999999999'; echo 'stale temporaries removed'")
# 14. Identical input gives an identical output directory, manifest included
# (no wall-clock times in it), also with Kronecker factorization.
add_test(NAME hostile.byte_identical_with_kronecker
  COMMAND sh -c "set -e; T='$<TARGET_FILE:tinyml-compile>'; for d in a b; do \"$T\" compile '${AE}/model.onnx' -o '${O}/same_'$d --force --kronecker auto --compress 16 >/dev/null; done; diff -r '${O}/same_a' '${O}/same_b'; echo identical")
# 4. run --output: a planted "<out>.tmp" symlink is never followed, and a
# symlink or FIFO at the output path is refused, not replaced.
file(REMOVE ${O}/run_out.npy.tmp ${O}/run_link.npy ${O}/run_fifo.npy ${O}/run_out.npy)
file(CREATE_LINK ${O}/planted_victim.npy ${O}/run_out.npy.tmp SYMBOLIC)
file(CREATE_LINK ${O}/never_written_run.npy ${O}/run_link.npy SYMBOLIC)
execute_process(COMMAND mkfifo ${O}/run_fifo.npy)
tml_hostile_test(run_output_planted_tmp_link EXIT 0 NOFILE ${O}/planted_victim.npy
  COMMAND ${TOOL} run ${O}/tiny.onnx --input ${O}/x.npy --output ${O}/run_out.npy)
tml_hostile_test(run_output_symlink EXIT 2 MATCH "run_link\\.npy: exists and is a symbolic link"
  NOFILE ${O}/never_written_run.npy
  COMMAND ${TOOL} run ${O}/tiny.onnx --input ${O}/x.npy --output ${O}/run_link.npy)
tml_hostile_test(run_output_fifo EXIT 2 MATCH "run_fifo\\.npy: exists and is a FIFO"
  COMMAND ${TOOL} run ${O}/tiny.onnx --input ${O}/x.npy --output ${O}/run_fifo.npy)
# verify refuses a zero instruction budget (a runaway loop must end).
tml_hostile_test(verify_zero_budget EXIT 2 MATCH "--max-instructions 0"
  COMMAND ${TOOL} compile ${O}/tiny.onnx -o ${O}/budget0 --force --verify --test-data ${O}/x.npy
          --max-instructions 0)
