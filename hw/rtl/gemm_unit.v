// GEMM unit (reference §1.4, §2.4): 4 rows x 4 columns x 4 depth lanes of PEs
// for any method (parameter METHOD, see pe.v), 64 lane accumulators of 32 bits
// (16 outputs x 4 lanes, wrap-around), one depth step per clock, then the
// final lane sum + bias B[col].
//
// Interface (all signals synchronous to clk; rst is synchronous, active high):
//   start/depth/bias  sampled on a rising edge while !busy; depth d >= 1 steps
//                     (d = rK/4); bias holds B[col] at bits [32*col +: 32].
//   rd_en/rd_addr     during the d cycles after start, rd_en = 1 and rd_addr = i
//                     (0..d-1): the operands of depth step i must be on
//                     w_word/x_word in that cycle (a buffer read with
//                     combinational output, or a stream).
//   w_word            16 weight codes of CODE_W bits: column c, lane q at
//                     [CODE_W*(4*c+q) +: CODE_W] (§2.3: lane c of the 64-bit word
//                     is column c, code q = depth 4i+q; INT8: 32 bits per column).
//   x_word            16 int8 activations: row r, lane q at [8*(4*r+q) +: 8]
//                     (§2.3: 32-bit word per row, byte q = depth 4i+q).
//   done              one-cycle pulse, d + LATENCY rising edges after the edge
//                     that sampled start; result holds
//                     acc_sum[col][row] = sum_lane acc[col][row][lane] + B[col]
//                     at [32*o +: 32], o = 4*col + row, until the next done.
//   LATENCY = 2 + RD_LATENCY: one product-register stage + one lane-sum stage,
//   plus RD_LATENCY = 1 when the operands come from a buffer with a registered
//   read (they appear the cycle after rd_addr).
module gemm_unit #(
  parameter integer METHOD     = 0,
  parameter integer DEPTH_W    = 16,
  parameter integer RD_LATENCY = 0,   // 0: operands in the rd_addr cycle; 1: one cycle later
  parameter integer SIGN_QUIRK = 0,   // see pe.v
  parameter integer MUL_STYLE  = 0    // see pe.v
`ifdef POTACC_X
  , parameter integer X_PER_COL = 0   // potacc-x depthwise mode: each column its own activations (x_cols)
`endif
) (
  input  wire                   clk,
  input  wire                   rst,
  input  wire                   start,
  input  wire [DEPTH_W-1:0]     depth,
  input  wire [127:0]           bias,
  output wire                   rd_en,
  output wire [DEPTH_W-1:0]     rd_addr,
  input  wire [16*8-1:0]        x_word,
  input  wire [16*CODE_W-1:0]   w_word,
  output reg                    busy,
  output reg                    done,
  output reg  [511:0]           result,
  // The 64 lane accumulators (col, row, lane) at [32*(16*col + 4*row + lane) +: 32],
  // final from the cycle before `done` until the next start (for a consumer
  // that adds the lanes itself; leaving `result` unconnected removes the
  // lane-sum stage).
  output wire [64*32-1:0]       lanes
`ifdef POTACC_X
  // X_PER_COL = 1: PE (col, row, lane) takes x_cols[8*(16*col + 4*row + lane) +: 8]
  // instead of x_word (same timing as x_word).
  , input  wire [511:0]         x_cols
`endif
);
`include "potacc_methods.vh"
  localparam integer CODE_W  = method_code_bits(METHOD);
  localparam integer P_W     = method_product_bits(METHOD);
  localparam integer LATENCY = 2 + RD_LATENCY;

  // ---- control
  reg               reading;     // operands of step `step` are on the inputs
  reg [DEPTH_W-1:0] step;
  reg [DEPTH_W-1:0] last_step;
  reg               p_valid;     // product registers hold a step
  reg               p_last;      // ... and it is the last one
  reg               sum_go;      // lane accumulators are complete
  reg [127:0]       bias_q;

  assign rd_en   = reading;
  assign rd_addr = step;
  wire accept = start && !busy;

  // Operands of a depth step are on x_word/w_word (RD_LATENCY cycles after its read).
  wire operands, operands_last;
  generate
    if (RD_LATENCY == 0) begin : g_comb_read
      assign operands      = reading;
      assign operands_last = reading && (step == last_step);
    end else begin : g_reg_read
      reg rd_q, rd_last_q;
      always @(posedge clk) begin
        if (rst) begin
          rd_q <= 1'b0; rd_last_q <= 1'b0;
        end else begin
          rd_q      <= reading;
          rd_last_q <= reading && (step == last_step);
        end
      end
      assign operands      = rd_q;
      assign operands_last = rd_last_q;
    end
  endgenerate

  always @(posedge clk) begin
    if (rst) begin
      busy <= 1'b0; reading <= 1'b0; p_valid <= 1'b0; p_last <= 1'b0;
      sum_go <= 1'b0; done <= 1'b0; step <= {DEPTH_W{1'b0}};
    end else begin
      done <= 1'b0;
      if (accept) begin
        busy      <= 1'b1;
        reading   <= (depth != {DEPTH_W{1'b0}});
        sum_go    <= (depth == {DEPTH_W{1'b0}});  // empty tile: result = bias
        step      <= {DEPTH_W{1'b0}};
        last_step <= depth - 1'b1;
        bias_q    <= bias;
      end
      p_valid <= operands;
      p_last  <= operands_last;
      if (reading) begin
        step <= step + 1'b1;
        if (step == last_step) reading <= 1'b0;
      end
      if (p_valid && p_last) sum_go <= 1'b1;
      if (sum_go) begin
        sum_go <= 1'b0;
        busy   <= 1'b0;
        done   <= 1'b1;
      end
    end
  end

  // ---- datapath: 64 PEs, product registers, lane accumulators
  wire [64*32-1:0] acc_flat;  // accumulator (col, row, lane) at index 16*col + 4*row + lane
  genvar col, row, lane;
  generate
    for (col = 0; col < 4; col = col + 1) begin : g_col
      for (row = 0; row < 4; row = row + 1) begin : g_row
        for (lane = 0; lane < 4; lane = lane + 1) begin : g_lane
          wire signed [15:0] mag;
          wire               neg;
          wire signed [15:0] prod_unused;
          wire        [7:0]  code;
          if (CODE_W < 8) begin : g_pad
            assign code = {{(8-CODE_W){1'b0}}, w_word[CODE_W*(4*col+lane) +: CODE_W]};
          end else begin : g_full
            assign code = w_word[CODE_W*(4*col+lane) +: CODE_W];
          end
`ifdef POTACC_X
          wire [7:0] x_pe = X_PER_COL != 0 ? x_cols[8*(16*col+4*row+lane) +: 8] : x_word[8*(4*row+lane) +: 8];
          pe #(.METHOD(METHOD), .SIGN_QUIRK(SIGN_QUIRK), .MUL_STYLE(MUL_STYLE)) u_pe (
            .x(x_pe), .code(code),
`else
          pe #(.METHOD(METHOD), .SIGN_QUIRK(SIGN_QUIRK), .MUL_STYLE(MUL_STYLE)) u_pe (
            .x(x_word[8*(4*row+lane) +: 8]), .code(code),
`endif
            .mag(mag), .neg(neg), .prod(prod_unused));

          // Product register: only the P_W significant bits and the sign.
          reg signed [P_W-1:0] p_q;
          reg                  neg_q;
          always @(posedge clk) begin
            p_q   <= mag[P_W-1:0];
            neg_q <= neg;
          end

          // acc +/- P as one adder: acc + (P ^ {neg}) + neg.
          reg [31:0] acc;
          wire [31:0] p_ext = {{(32-P_W){p_q[P_W-1]}}, p_q};
          always @(posedge clk) begin
            if (accept) acc <= 32'd0;
            else if (p_valid) acc <= acc + (p_ext ^ {32{neg_q}}) + {31'd0, neg_q};
          end
          assign acc_flat[32*(16*col+4*row+lane) +: 32] = acc;
        end
      end
    end
  endgenerate

  assign lanes = acc_flat;

  // ---- final lane sum + bias
  integer o;
  always @(posedge clk) begin
    if (sum_go) begin
      for (o = 0; o < 16; o = o + 1) begin
        result[32*o +: 32] <= acc_flat[32*(4*o+0) +: 32] + acc_flat[32*(4*o+1) +: 32]
                            + acc_flat[32*(4*o+2) +: 32] + acc_flat[32*(4*o+3) +: 32]
                            + bias_q[32*(o/4) +: 32];
      end
    end
  end
endmodule
