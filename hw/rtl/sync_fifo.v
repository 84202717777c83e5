// Synchronous first-word-fall-through FIFO (reference §2.1: all inter-thread
// FIFOs). A word pushed in cycle t can be popped from cycle t+1 on (dout
// shows the head while !empty). Pushing while full or popping while empty is
// ignored; callers check `full` / `empty`. DEPTH need not be a power of two.
module sync_fifo #(
  parameter integer WIDTH = 8,
  parameter integer DEPTH = 16,
  parameter integer CNT_W = $clog2(DEPTH + 1)   // width of `count` (derived)
) (
  input  wire             clk,
  input  wire             rst,
  input  wire             push,
  input  wire [WIDTH-1:0] din,
  input  wire             pop,
  output wire [WIDTH-1:0] dout,
  output wire             empty,
  output wire             full,
  output reg  [CNT_W-1:0] count
);
  localparam integer PTR_W = DEPTH > 1 ? $clog2(DEPTH) : 1;

  reg [WIDTH-1:0] mem [0:DEPTH-1];
  reg [PTR_W-1:0] rd_ptr, wr_ptr;
  wire do_push = push && !full;
  wire do_pop  = pop && !empty;

  assign empty = count == {CNT_W{1'b0}};
  assign full  = count == DEPTH[CNT_W-1:0];
  assign dout  = mem[rd_ptr];

  function [PTR_W-1:0] next_ptr(input [PTR_W-1:0] p);
    next_ptr = (p == DEPTH[PTR_W-1:0] - 1'b1) ? {PTR_W{1'b0}} : p + 1'b1;
  endfunction

  always @(posedge clk) begin
    if (do_push) mem[wr_ptr] <= din;
  end
  always @(posedge clk) begin
    if (rst) begin
      rd_ptr <= {PTR_W{1'b0}};
      wr_ptr <= {PTR_W{1'b0}};
      count  <= {CNT_W{1'b0}};
    end else begin
      if (do_push) wr_ptr <= next_ptr(wr_ptr);
      if (do_pop) rd_ptr <= next_ptr(rd_ptr);
      if (do_push && !do_pop) count <= count + 1'b1;
      else if (do_pop && !do_push) count <= count - 1'b1;
    end
  end
endmodule
