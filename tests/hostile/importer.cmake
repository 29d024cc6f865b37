# Hostile input, importer side (issue 19 items 2, 5, 6, 8, 13 and the resource
# limits): crafted ONNX models and .npy files from make_importer_cases.py. Each
# must end with exit 2 and one line naming the file and what is wrong (or exit
# 0 where the input is valid), never a signal, never exit 3, and quickly.
set(HI ${HOSTILE_OUT}/importer)
execute_process(
  COMMAND ${TML_HOSTILE_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/make_importer_cases.py ${HI}
  RESULT_VARIABLE hostile_importer_result ERROR_VARIABLE hostile_importer_error)
if(NOT hostile_importer_result EQUAL 0)
  message(FATAL_ERROR "make_importer_cases.py failed:\n${hostile_importer_error}")
endif()
set(HI_OUT ${CMAKE_CURRENT_BINARY_DIR}/importer_out)
file(MAKE_DIRECTORY ${HI_OUT})

# Item 2: a .npy header whose element count overflows (2^62 x 4), or is not
# backed by the file, through --input, --calib and --test-data.
tml_hostile_test(importer_npy_overflow_input EXIT 2
  MATCH "x_overflow.npy: shape .4611686018427387904, 4. in the .npy header has more elements than can be counted"
  COMMAND ${TOOL} run ${HI}/tiny.onnx --input ${HI}/x_overflow.npy)
tml_hostile_test(importer_npy_overflow_calib EXIT 2
  MATCH "x_overflow.npy: shape .* more elements than can be counted"
  COMMAND ${TOOL} compile ${HI}/tiny.onnx -o ${HI_OUT}/calib --force --quantize int8
          --calib ${HI}/x_overflow.npy)
tml_hostile_test(importer_npy_overflow_test_data EXIT 2
  MATCH "x_overflow.npy: shape .* more elements than can be counted"
  COMMAND ${TOOL} compile ${HI}/tiny.onnx -o ${HI_OUT}/test_data --force --verify
          --test-data ${HI}/x_overflow.npy)
tml_hostile_test(importer_npy_huge_truncated EXIT 2
  MATCH "x_huge.npy: truncated: 16 bytes of data for shape .1099511627776, 4."
  COMMAND ${TOOL} run ${HI}/tiny.onnx --input ${HI}/x_huge.npy)
tml_hostile_test(importer_npy_bad_shape EXIT 2
  MATCH "x_bad_shape.npy: bad shape .5, 'four'. in the .npy header"
  COMMAND ${TOOL} run ${HI}/tiny.onnx --input ${HI}/x_bad_shape.npy)

# Item 5: names with invalid UTF-8 are valid input (the bytes become U+FFFD at
# import), so JSON, the manifest and the C sources can hold them.
tml_hostile_test(importer_utf8_inspect_json EXIT 0
  MATCH "\"node\": \"fc��\"" MATCH2 "\"tensor\": \"W�.x\""
  COMMAND ${TOOL} inspect ${HI}/bad_utf8.onnx --json)
tml_hostile_test(importer_utf8_compile EXIT 0
  MATCH "node 'fc��' .Gemm."
  COMMAND ${TOOL} compile ${HI}/bad_utf8.onnx -o ${HI_OUT}/utf8 --force)
# Item 5: ConstantOfShape with 2^40 elements; a zero-size weight.
tml_hostile_test(importer_constant_of_shape_2p40 EXIT 2
  MATCH "cos_bomb.onnx: node 'big_zeros' .ConstantOfShape, opset 13.: output 'big' has shape .1099511627776."
  MATCH2 "largest-tensor limit of 256 MB; raise it with --max-tensor-mb"
  COMMAND ${TOOL} inspect ${HI}/cos_bomb.onnx)
tml_hostile_test(importer_zero_size_weight EXIT 2
  MATCH "zero_weight.onnx: node 'fc' .Gemm, opset 13.: input 'W' has shape .0, 4., with no elements"
  COMMAND ${TOOL} compile ${HI}/zero_weight.onnx -o ${HI_OUT}/zero --force)

# Item 6: a ~160-byte model whose constant Tile asks for 16 GB; and two 64 MB
# constants multiplied at import (a bomb by compute instead of memory).
tml_hostile_test(importer_tile_bomb EXIT 2
  MATCH "tile_bomb.onnx: node 'bomb' .Tile, opset 13.: output 'huge' has shape .65536, 65536. .4,294,967,296 float32 values, 16 GB."
  MATCH2 "--max-tensor-mb"
  COMMAND ${TOOL} run ${HI}/tile_bomb.onnx --input ${HI}/x_good.npy)
tml_hostile_test(importer_matmul_fold_bomb EXIT 2
  MATCH "matmul_fold_bomb.onnx: node 'mm' .MatMul, opset 13.: all its inputs are constants"
  COMMAND ${TOOL} inspect ${HI}/matmul_fold_bomb.onnx)

# Item 8: --input-shape whose element count does not fit (was exit 0 with an
# int32 overflow in the generated C), or whose text overflows.
tml_hostile_test(importer_input_shape_huge EXIT 2
  MATCH "dynamic.onnx: input 'x' has shape .1073741824, 4. .4,294,967,296 float32 values, 16 GB."
  MATCH2 "--max-tensor-mb"
  COMMAND ${TOOL} compile ${HI}/dynamic.onnx -o ${HI_OUT}/input_shape --force
          --input-shape x=1073741824,4)
tml_hostile_test(importer_input_shape_int32 EXIT 2
  MATCH "--input-shape 'x=4294967296,1': dimension 4294967296 is larger than 2.31 - 1"
  COMMAND ${TOOL} inspect ${HI}/dynamic.onnx --input-shape x=4294967296,1 --max-tensor-mb 65536)
tml_hostile_test(importer_input_shape_range EXIT 2
  MATCH "--input-shape 'x=99999999999999999999,4': expected NAME=D1,D2,... with positive integers"
  COMMAND ${TOOL} inspect ${HI}/dynamic.onnx --input-shape x=99999999999999999999,4)

# Item 13: opsets outside 7-17 (an older model passes only when none of its
# nodes changed meaning by opset 7), transB = 7, an LSTM without hidden_size.
tml_hostile_test(importer_opset_1 EXIT 2
  MATCH "tiny_opset1.onnx: opset 1 is older than the ONNX opsets 7 to 17 tinyml-compile reads, and 2 nodes changed meaning"
  COMMAND ${TOOL} inspect ${HI}/tiny_opset1.onnx)
tml_hostile_test(importer_opset_6 EXIT 2
  MATCH "tiny_opset6.onnx: opset 6 is older .* 'fc' .Gemm-6, Gemm-7 in opset 7."
  COMMAND ${TOOL} inspect ${HI}/tiny_opset6.onnx)
tml_hostile_test(importer_opset_6_unchanged EXIT 0
  MATCH "warning: .*hardsigmoid_opset6.onnx: opset 6 is older .* definitions are unchanged"
  COMMAND ${TOOL} inspect ${HI}/hardsigmoid_opset6.onnx)
tml_hostile_test(importer_opset_18 EXIT 2
  MATCH "tiny_opset18.onnx: opset 18 is not supported: tinyml-compile reads ONNX opsets 7 to 17"
  COMMAND ${TOOL} inspect ${HI}/tiny_opset18.onnx)
tml_hostile_test(importer_opset_99 EXIT 2
  MATCH "tiny_opset99.onnx: opset 99 is not supported"
  COMMAND ${TOOL} inspect ${HI}/tiny_opset99.onnx)
tml_hostile_test(importer_gemm_transb_7 EXIT 2
  MATCH "transb7.onnx: node 'fc' .Gemm, opset 13.: attribute 'transB' must be 0 or 1, got 7"
  COMMAND ${TOOL} inspect ${HI}/transb7.onnx)
tml_hostile_test(importer_lstm_no_hidden_size EXIT 2
  MATCH "lstm_no_hidden.onnx: node 'lstm' .LSTM, opset 14.: attribute 'hidden_size' is required"
  COMMAND ${TOOL} inspect ${HI}/lstm_no_hidden.onnx)

# Deliver 2: the resource limits, each named with the flag that raises it. The
# 1.1 MB model passes the defaults and trips each limit lowered to 1 MB.
tml_hostile_test(importer_limits_default_ok EXIT 0
  MATCH "total: 295,936 parameters"
  COMMAND ${TOOL} inspect ${HI}/big_weights.onnx)
tml_hostile_test(importer_limit_model_file EXIT 2
  MATCH "big_weights.onnx: the file is 1.1 MB, more than the model-file limit of 1 MB; raise it with --max-model-mb"
  COMMAND ${TOOL} inspect ${HI}/big_weights.onnx --max-model-mb 1)
tml_hostile_test(importer_limit_weights EXIT 2
  MATCH "big_weights.onnx: initializer 'W': the model's constants .* more than the limit of 1 MB; raise it with --max-weights-mb"
  COMMAND ${TOOL} inspect ${HI}/big_weights.onnx --max-weights-mb 1)
tml_hostile_test(importer_limit_tensor EXIT 2
  MATCH "big_weights.onnx: initializer 'W' has shape .1024, 288. .* more than the largest-tensor limit of 1 MB; raise it with --max-tensor-mb"
  COMMAND ${TOOL} run ${HI}/big_weights.onnx --input ${HI}/x_good.npy --max-tensor-mb 1)
tml_hostile_test(importer_limit_nodes EXIT 2
  MATCH "tiny.onnx: the model has 2 nodes, more than the limit of 1; raise it with --max-nodes"
  COMMAND ${TOOL} inspect ${HI}/tiny.onnx --max-nodes 1)
tml_hostile_test(importer_limit_flag_zero EXIT 2
  MATCH "--max-tensor-mb 0: expected a size in MB from 1"
  COMMAND ${TOOL} inspect ${HI}/tiny.onnx --max-tensor-mb 0)
# A device or pipe has no size to check first: reading stops at the limit.
tml_hostile_test(importer_model_is_dev_zero EXIT 2
  MATCH "/dev/zero: the file is larger than the model-file limit of 1 MB"
  COMMAND ${TOOL} inspect /dev/zero --max-model-mb 1)
tml_hostile_test(importer_model_is_directory EXIT 2
  MATCH "importer: is a directory, not an ONNX model"
  COMMAND ${TOOL} inspect ${HI})

# None of these may take long: a bomb that is caught runs in well under a second.
get_property(hostile_tests DIRECTORY PROPERTY TESTS)
foreach(t IN LISTS hostile_tests)
  if(t MATCHES "^hostile\\.importer_")
    set_tests_properties(${t} PROPERTIES TIMEOUT 60)
  endif()
endforeach()
