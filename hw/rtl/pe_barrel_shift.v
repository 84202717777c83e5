// QKeras PE: |P| = x << m, one 3-bit barrel shifter (reference §1.2).
// P is the signed product before the sign-bit rule; P_W bits hold x << 7.
module pe_barrel_shift #(
  parameter integer P_W = 15
) (
  input  wire signed [7:0]     x,
  input  wire        [2:0]     m,
  output wire signed [P_W-1:0] p
);
  wire signed [P_W-1:0] x_ext = {{(P_W-8){x[7]}}, x};
  assign p = x_ext << m;
endmodule
