// Post-processing unit of one GEMM unit (reference §2.5 "Post/PPU" thread):
// requantizes the 16 sums of a tile to int8 and writes one output beat (word
// q = row q, byte j = column j) into the unit's output FIFO; on an
// end-of-command request (send_done) it writes the TLAST beat instead.
//
// Hand-off: the unit's compute thread sees `post_ready`, pulses `handoff`
// with the 16 sums and the tile's Mq/S; `post_ready` falls in the next cycle.
// The PPU notices the hand-off in that cycle (call it t) and
//   writes the output beat in cycle t + OUT_LATENCY - 2 (visible one later),
//   raises post_ready again in cycle t + OCCUPANCY - 2,
//   is back at its loop top (may answer send_done) in cycle t + OCCUPANCY,
// with OCCUPANCY / OUT_LATENCY = ppu_occupancy / ppu_output_latency of the
// configuration (the reference model's PPU delays). The arithmetic itself
// (requant.v, one output per cycle) finishes after 16 + 5 cycles, well inside.
// A full output FIFO (output stream backpressure) freezes the PPU until the
// beat is written.
module ppu #(
  parameter integer ROUNDING    = 0,
  parameter integer OCCUPANCY   = 57,
  parameter integer OUT_LATENCY = 56
) (
  input  wire         clk,
  input  wire         rst,
  input  wire         handoff,
  input  wire [511:0] sums,       // acc_sum[col][row] at [32*(4*col+row) +: 32]
  input  wire [127:0] mq,         // Mq[col] at [32*col +: 32]
  input  wire [31:0]  s,          // S[col] at [8*col +: 8]
  input  wire [31:0]  zp,
  input  wire         send_done,
  output reg          post_ready,
  output reg          ppu_done,
  output reg          busy,       // a tile is being post-processed (ppu_busy counter)
  // output FIFO
  input  wire         fifo_full,
  output wire         fifo_push,  // the beat enters the FIFO at this cycle's edge
  output wire [128:0] fifo_din    // {TLAST, word3, word2, word1, word0}
);
  localparam [1:0] P_LOOP = 2'd0, P_BUSY = 2'd1, P_DONE = 2'd2;
  localparam [31:0] TLAST_WORD = 32'd5000;  // the reference's end-marker data word
  /* verilator lint_off WIDTH */
  localparam [7:0]  OUT_AT  = OUT_LATENCY - 2;  // age of the output beat write
  localparam [7:0]  FREE_AT = OCCUPANCY - 2;    // age of post_ready
  localparam [7:0]  LOOP_AT = OCCUPANCY;        // age of the loop top
  /* verilator lint_on WIDTH */

  reg [1:0]   p;
  reg [7:0]   age;            // cycles since the hand-off was noticed
  reg [511:0] sum_q;          // the 16 sums (a register with load enable)
  reg [127:0] mq_q;
  reg [31:0]  s_q;
  reg [4:0]   feed;           // sums still to feed into the requantizer
  reg [3:0]   feed_idx;       // output index o = 4*col + row of the next sum
  reg [3:0]   out_idx;
  reg [127:0] beat;

  // The output beat is due; a full FIFO (output backpressure) freezes the thread.
  wire beat_due = p == P_BUSY && age == OUT_AT;
  wire stall = beat_due && fifo_full;
  // At the loop top: checks for a hand-off, then for an end-of-command request.
  wire in_loop = p == P_LOOP || (p == P_BUSY && age >= LOOP_AT);
  wire tlast_due = in_loop && post_ready && send_done;
  // FIFO writes are visible to the Arranger in the next cycle, like the model's.
  assign fifo_push = (beat_due || tlast_due) && !fifo_full;
  assign fifo_din  = beat_due ? {1'b0, beat} : {1'b1, {4{TLAST_WORD}}};

  // ---- arithmetic: o = 4*col + row -> beat byte 4*row + col
  wire       rq_valid;
  wire [7:0] rq_out;
  requant #(.ROUNDING(ROUNDING)) u_requant (
    .clk(clk), .in_valid(feed != 5'd0), .acc(sum_q[32*feed_idx +: 32]),
    .mq(mq_q[32*feed_idx[3:2] +: 32]), .s(s_q[8*feed_idx[3:2] +: 8]), .zp(zp),
    .out_valid(rq_valid), .out(rq_out));

  always @(posedge clk) begin
    if (handoff) begin
      sum_q <= sums;
      mq_q  <= mq;
      s_q   <= s;
    end
  end
  always @(posedge clk) begin
    if (rst) begin
      feed <= 5'd0;
    end else if (handoff) begin
      feed     <= 5'd16;
      feed_idx <= 4'd0;
      out_idx  <= 4'd0;
    end else if (feed != 5'd0) begin
      feed     <= feed - 1'b1;
      feed_idx <= feed_idx + 1'b1;
    end
    if (rq_valid) begin
      beat[8 * {out_idx[1:0], out_idx[3:2]} +: 8] <= rq_out;
      out_idx <= out_idx + 1'b1;
    end
  end

  // ---- the Post thread's timing (src/accel/timing_cycle.cc)
  always @(posedge clk) begin
    if (rst) begin
      p          <= P_LOOP;
      post_ready <= 1'b1;
      ppu_done   <= 1'b0;
      busy       <= 1'b0;
      age        <= 8'd0;
    end else begin
      if (handoff) post_ready <= 1'b0;
      if (p == P_BUSY && !stall) begin
        if (age != 8'hff) age <= age + 1'b1;
        if (age == FREE_AT) post_ready <= 1'b1;
        if (age == LOOP_AT) busy <= 1'b0;
      end else if (p == P_DONE) begin
        if (!send_done) begin
          ppu_done <= 1'b0;
          p        <= P_LOOP;
        end
      end
      if (in_loop) begin
        if (!post_ready) begin
          p    <= P_BUSY;
          age  <= 8'd1;
          busy <= 1'b1;
        end else if (send_done && !fifo_full) begin
          ppu_done  <= 1'b1;
          p         <= P_DONE;
        end else begin
          p <= P_LOOP;
        end
      end
    end
  end
endmodule
