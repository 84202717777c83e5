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
// (S = 63 with double rounding, a right shift by 32, is outside what the
// driver produces: TFLite multipliers have shift >= -31.)
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
  // ---- stage 1: operands (double rounding: the left shift)
  reg        v1;
  reg [31:0] x1, m1;
  reg [5:0]  sh1;     // single: S; double: the right shift max(-shift, 0) = S - 31 (0..32)
  wire [5:0] s6 = s[5:0];
  always @(posedge clk) begin
    v1 <= in_valid;
    m1 <= mq;
    if (ROUNDING == 0) begin
      x1  <= acc << (s6 < 6'd31 ? 5'd31 - s6[4:0] : 5'd0);
      sh1 <= s6 > 6'd31 ? s6 - 6'd31 : 6'd0;
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

  // ---- stage 3: first rounding step -> a 32-bit value
  reg        v3;
  reg [31:0] r3;
  reg [5:0]  sh3;
  generate
    if (ROUNDING == 0) begin : g_double
      // (p + nudge) / 2^31 truncated toward zero; nudge = 2^30 (p >= 0) or 1 - 2^30
      wire [63:0] nudged = p2 + (p2[63] ? 64'hFFFF_FFFF_C000_0001 : 64'h0000_0000_4000_0000);
      wire [31:0] high = nudged[62:31] + {31'd0, nudged[63] && |nudged[30:0]};
      always @(posedge clk) r3 <= ovf2 ? 32'h7fff_ffff : high;
    end else begin : g_single
      // (p + 2^(S-1)) >> S (S = 0: p), saturated to int32
      wire signed [64:0] half = sh2 == 6'd0 ? 65'sd0 : (65'sd1 <<< (sh2 - 6'd1));
      // $signed: a concatenation is unsigned, and >>> of an unsigned sum is a logical shift.
      wire signed [64:0] rounded = ($signed({p2[63], p2}) + half) >>> sh2;
      wire over = !rounded[64] && |rounded[63:31];
      wire under = rounded[64] && !(&rounded[63:31]);
      always @(posedge clk) r3 <= over ? 32'h7fff_ffff : under ? 32'h8000_0000 : rounded[31:0];
    end
  endgenerate
  always @(posedge clk) begin
    v3  <= v2;
    sh3 <= sh2;
  end

  // ---- stage 4: second rounding step (double): RoundingDivideByPOT(r3, sh3)
  reg        v4;
  reg [31:0] t4;
  generate
    if (ROUNDING == 0) begin : g_divide
      wire [31:0] shifted = $signed(r3) >>> sh3;
      wire [31:0] mask = sh3[5] ? 32'hFFFF_FFFF : ~(32'hFFFF_FFFF << sh3[4:0]);
      wire [32:0] threshold = {2'b00, mask[31:1]} + {32'd0, r3[31]};
      wire        up = {1'b0, r3 & mask} > threshold;
      always @(posedge clk) t4 <= shifted + {31'd0, up};
    end else begin : g_pass
      always @(posedge clk) t4 <= r3;
    end
  endgenerate
  always @(posedge clk) v4 <= v3;

  // ---- stage 5: output zero point, clamp to int8
  wire signed [31:0] v = t4 + zp;
  always @(posedge clk) begin
    out_valid <= v4;
    out <= (v < -32'sd128) ? 8'h80 : (v > 32'sd127) ? 8'h7f : v[7:0];
  end
endmodule
