// Two-term shift/add PE (APoT, MSQ; reference §1.2):
//   |P| = T1 + T2,  T1 = x << T1_SHIFTn selected by code bits b2b1 (n = b2b1),
//                   T2 = x << T2_SHIFT when b0 = 1.
// A negative shift parameter means "this term is zero". Shifts by constants
// are wiring, so the cost is one 4:1 mux, one AND gate row and one adder.
module pe_shift_add #(
  parameter integer T1_SHIFT0 = 0,
  parameter integer T1_SHIFT1 = -1,
  parameter integer T1_SHIFT2 = 2,
  parameter integer T1_SHIFT3 = 3,
  parameter integer T2_SHIFT  = 1,
  parameter integer P_W       = 12
) (
  input  wire signed [7:0]     x,
  input  wire        [2:0]     m,   // b2 b1 b0
  output wire signed [P_W-1:0] p
);
  wire signed [P_W-1:0] x_ext = {{(P_W-8){x[7]}}, x};
  // x << s, or zero for s < 0 (s is a parameter, so this is pure wiring).
  function [P_W-1:0] term(input [P_W-1:0] v, input integer s);
    if (s < 0) term = {P_W{1'b0}};
    else term = v << s;
  endfunction
  wire signed [P_W-1:0] t1_0  = term(x_ext, T1_SHIFT0);
  wire signed [P_W-1:0] t1_1  = term(x_ext, T1_SHIFT1);
  wire signed [P_W-1:0] t1_2  = term(x_ext, T1_SHIFT2);
  wire signed [P_W-1:0] t1_3  = term(x_ext, T1_SHIFT3);
  wire signed [P_W-1:0] t2_on = term(x_ext, T2_SHIFT);

  reg signed [P_W-1:0] t1;
  always @(*) begin
    case (m[2:1])
      2'd0: t1 = t1_0;
      2'd1: t1 = t1_1;
      2'd2: t1 = t1_2;
      default: t1 = t1_3;
    endcase
  end
  wire signed [P_W-1:0] t2 = m[0] ? t2_on : {P_W{1'b0}};
  assign p = t1 + t2;
endmodule
