// One processing element for any quantization method (parameter METHOD, the
// index of the method in potacc::quant::AllMethods(); see potacc_methods.vh,
// generated from the C++ method descriptions).
//
// Outputs both forms of the product:
//   mag  = P, the PE's product before the sign-bit rule (shift PEs), or the
//          full product (multiplier PEs);
//   neg  = the code's sign bit for sign-magnitude methods (reference §1.1:
//          the accumulator subtracts P when it is set), else 0;
//   prod = the signed product, neg ? -P : P  (== x * Decode(code)).
// The GEMM unit uses mag/neg so that the subtraction folds into the
// accumulator adder, as in the reference datapath.
module pe #(
  parameter integer METHOD = 0,
  // 1: apply the sign-bit rule to a multiplier PE too (the released uniform4
  // design's quirk, reference §1.3/§10.4: codes 8..15 contribute +(16-c)*x).
  parameter integer SIGN_QUIRK = 0,
  // Multiplier PEs: 0 `x * w`, 1 radix-4 Booth in LUTs (pe_multiplier.v).
  parameter integer MUL_STYLE = 0
) (
  input  wire signed [7:0]  x,
  input  wire        [7:0]  code,  // 4-bit methods use code[3:0]
  output wire signed [15:0] mag,
  output wire               neg,
  output wire signed [15:0] prod
);
`include "potacc_methods.vh"
  localparam integer KIND   = method_pe_kind(METHOD);
  localparam integer P_W    = method_product_bits(METHOD);
  localparam integer CODE_W = method_code_bits(METHOD);

  wire signed [P_W-1:0] p;
  generate
    if (KIND == PE_KIND_BARREL_SHIFT) begin : g_barrel
      pe_barrel_shift #(.P_W(P_W)) u_pe (.x(x), .m(code[2:0]), .p(p));
    end else if (KIND == PE_KIND_SHIFT_ADD) begin : g_shift_add
      pe_shift_add #(
        .T1_SHIFT0(method_t1_shift0(METHOD)), .T1_SHIFT1(method_t1_shift1(METHOD)),
        .T1_SHIFT2(method_t1_shift2(METHOD)), .T1_SHIFT3(method_t1_shift3(METHOD)),
        .T2_SHIFT(method_t2_shift(METHOD)), .P_W(P_W)
      ) u_pe (.x(x), .m(code[2:0]), .p(p));
    end else begin : g_mult
      pe_multiplier #(.W_BITS(CODE_W), .P_W(P_W), .STYLE(MUL_STYLE)) u_pe (.x(x), .w(code[CODE_W-1:0]), .p(p));
    end
    if (P_W < 16) begin : g_sext
      assign mag = {{(16-P_W){p[P_W-1]}}, p};
    end else begin : g_full
      assign mag = p;
    end
    if (method_sign_magnitude(METHOD) != 0 || SIGN_QUIRK != 0) begin : g_sign
      assign neg = code[3];
    end else begin : g_nosign
      assign neg = 1'b0;
    end
  endgenerate

  assign prod = neg ? -mag : mag;
endmodule
