// Multiplier PE (uniform 4-bit and int8 baselines; reference §1.3):
// P = x * w with w a W_BITS two's-complement weight, plain accumulate.
module pe_multiplier #(
  parameter integer W_BITS = 8,
  parameter integer P_W    = 16
) (
  input  wire signed [7:0]        x,
  input  wire signed [W_BITS-1:0] w,
  output wire signed [P_W-1:0]    p
);
  assign p = x * w;
endmodule
