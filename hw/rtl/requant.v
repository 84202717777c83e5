// Requantization of one 32-bit accumulator to int8 (reference §1.4; the
// arithmetic of include/potacc/fixed_point.h), pipelined: one output per
// cycle, LATENCY = 5 cycles from `in_valid` to `out_valid`.
//
//   S = s[5:0] (only 6 bits are wired), shift = 31 - S
//   ROUNDING = 0 (TFLite default, double rounding):
//     x' = acc << max(shift, 0)                         (32-bit wrap)
//     h  = SaturatingRoundingDoublingHighMul(x', Mq)     (round half up; INT_MIN*INT_MIN saturates)
//     t  = RoundingDivideByPOT(h, max(-shift, 0))        (round half away from zero)
//   ROUNDING = 1 (reference PPU, single rounding):
//     t  = saturate32((acc * Mq + 2^(S-1)) >> S)         (S = 0: acc * Mq)
//   out = clamp(t + zp_out, -128, 127)                   (32-bit wrap before the clamp)
module requant #(
  parameter integer ROUNDING = 0
) (
  input  wire        clk,
  input  wire        in_valid,
  input  wire [31:0] acc,
  input  wire [31:0] mq,
  input  wire [7:0]  s,
  input  wire [31:0] zp,
  output reg         out_valid,
  output reg  [7:0]  out
);
  localparam integer LATENCY = 5;

  // ---- stage 1: operands (double rounding: the left shift)
  reg        v1;
  reg [31:0] x1, m1;
  reg [5:0]  sh1;     // S (single) or the right shift max(-shift, 0) (double, 0..32 -> 6 bits)
  wire [5:0] s6 = s[5:0];
  always @(posedge clk) begin
    v1 <= in_valid;
    m1 <= mq;
    if (ROUNDING == 0) begin
      x1  <= (s6 < 6'd31) ? acc << (6'd31 - s6) : acc;
      sh1 <= (s6 > 6'd31) ? s6 - 6'd31 : 6'd0;
    end else begin
      x1  <= acc;
      sh1 <= s6;
    end
  end

  // ---- stage 2: 32 x 32 -> 64-bit signed product
  reg               v2;
  reg signed [63:0] p2;
  reg               ovf2;
  reg [5:0]         sh2;
  always @(posedge clk) begin
    v2   <= v1;
    p2   <= $signed(x1) * $signed(m1);
    ovf2 <= x1 == 32'h8000_0000 && m1 == 32'h8000_0000;
    sh2  <= sh1;
  end

  // ---- stage 3: first rounding step
  reg               v3;
  reg signed [63:0] r3;     // double: the high word h (sign-extended); single: the rounded shift
  reg [5:0]         sh3;
  wire signed [64:0] p2x = {p2[63], p2};
  // double: (p + nudge) / 2^31 truncated toward zero
  wire signed [64:0] nudged = p2x + (p2[63] ? 65'sd1 - 65'sd1073741824 : 65'sd1073741824);
  wire signed [64:0] floor31 = nudged >>> 31;
  wire               frac31 = |nudged[30:0];
  wire signed [64:0] high = (nudged[64] && frac31) ? floor31 + 65'sd1 : floor31;
  // single: (p + 2^(S-1)) >> S, S = 0 leaves p
  wire signed [64:0] half = sh2 == 6'd0 ? 65'sd0 : (65'sd1 <<< (sh2 - 6'd1));
  wire signed [64:0] rounded = (p2x + half) >>> sh2;
  always @(posedge clk) begin
    v3  <= v2;
    sh3 <= sh2;
    if (ROUNDING == 0) r3 <= ovf2 ? 64'sd2147483647 : high[63:0];
    else r3 <= rounded[63:0];
  end

  // ---- stage 4: second rounding step (double) / saturation (single)
  reg        v4;
  reg [31:0] t4;
  wire signed [63:0] shifted = r3 >>> sh3;
  wire [63:0]        mask = (64'd1 << sh3) - 64'd1;
  wire [63:0]        remainder = r3 & mask;
  wire [63:0]        threshold = (mask >> 1) + {63'd0, r3[63]};
  always @(posedge clk) begin
    v4 <= v3;
    if (ROUNDING == 0) begin
      t4 <= shifted[31:0] + {31'd0, remainder > threshold};
    end else begin
      if (r3 > 64'sd2147483647) t4 <= 32'h7fff_ffff;
      else if (r3 < -64'sd2147483648) t4 <= 32'h8000_0000;
      else t4 <= r3[31:0];
    end
  end

  // ---- stage 5: output zero point, clamp to int8
  wire signed [31:0] v = t4 + zp;
  always @(posedge clk) begin
    out_valid <= v4;
    out <= (v < -32'sd128) ? 8'h80 : (v > 32'sd127) ? 8'h7f : v[7:0];
  end
endmodule
