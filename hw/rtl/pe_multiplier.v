// Multiplier PE (uniform 4-bit and int8 baselines; reference §1.3):
// P = x * w with w a W_BITS two's-complement weight, plain accumulate.
//   STYLE 0: `x * w` (synthesis picks the structure, e.g. a DSP)
//   STYLE 1: radix-4 Booth in LUTs: W_BITS/2 partial products d_i * x with
//            Booth digits d_i in {-2..2} from w[2i+1:2i-1], negative ones as
//            one's complement plus a carry-in bit; about 30 % fewer LUTs than
//            Yosys' array multiplier for int8 (the accelerator's PEs use it,
//            as the reference INT8 design keeps its products in LUTs).
module pe_multiplier #(
  parameter integer W_BITS = 8,
  parameter integer P_W    = 16,
  parameter integer STYLE  = 0
) (
  input  wire signed [7:0]        x,
  input  wire signed [W_BITS-1:0] w,
  output wire signed [P_W-1:0]    p
);
  generate
    if (STYLE == 0) begin : g_mul
      assign p = x * w;
    end else begin : g_booth
      localparam integer NPP = W_BITS / 2;
      wire [W_BITS:0] wx = {w, 1'b0};
      reg signed [P_W-1:0] sum;
      reg [P_W-1:0]        carry_in;  // +1 of each negated partial product
      reg [2:0]            win;
      reg                  one, two, neg;
      reg signed [9:0]     mag;
      reg signed [P_W-1:0] term;
      integer i;
      always @(*) begin
        sum = {P_W{1'b0}};
        carry_in = {P_W{1'b0}};
        for (i = 0; i < NPP; i = i + 1) begin
          win = wx[2*i +: 3];
          one = win[0] ^ win[1];                   // digit +-1
          two = (win == 3'b011) || (win == 3'b100);  // digit +-2
          neg = win[2] && !(win[1] && win[0]);     // digit < 0
          mag = one ? {{2{x[7]}}, x} : two ? {x[7], x, 1'b0} : 10'sd0;
          term = {{(P_W-10){mag[9] ^ neg}}, mag ^ {10{neg}}};
          sum = sum + (term <<< (2 * i));
          carry_in[2*i] = neg;
        end
        sum = sum + $signed(carry_in);
      end
      assign p = sum;
    end
  endgenerate
endmodule
