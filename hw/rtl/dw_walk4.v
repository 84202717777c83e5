`ifdef POTACC_X
// Four chained steps of a raster walk (potacc-x depthwise mode): the output
// pixels of a strip (dw_pixels.v) and the taps of a window (dw_window.v) are
// both walked this way. A position is (x, row, word offset); one step moves
// x on by one and the offset by `step` words, or, where x + 1 reaches `limit`,
// back to x = 0 on the next row (row + row_step, offset + jump). Position i
// (0 = the input, 4 = four steps on) is at [i*CNT_W +: CNT_W] / [32i +: 32].
module dw_walk4 #(
  parameter integer CNT_W = 16
) (
  input  wire [CNT_W-1:0]   x,
  input  wire [CNT_W-1:0]   row,
  input  wire [31:0]        off,
  input  wire [CNT_W-1:0]   limit,
  input  wire [CNT_W-1:0]   row_step,
  input  wire [CNT_W-1:0]   step,
  input  wire [31:0]        jump,
  output reg  [5*CNT_W-1:0] xs,
  output reg  [5*CNT_W-1:0] rows,
  output reg  [5*32-1:0]    offs
);
  integer i;
  reg [CNT_W-1:0] cx, cr;
  reg [31:0]      co;
  always @(*) begin
    cx = x; cr = row; co = off;
    for (i = 0; i < 5; i = i + 1) begin
      xs[i*CNT_W +: CNT_W]   = cx;
      rows[i*CNT_W +: CNT_W] = cr;
      offs[32*i +: 32]       = co;
      if (cx + 1'b1 == limit) begin  // next row
        cx = {CNT_W{1'b0}};
        cr = cr + row_step;
        co = co + jump;
      end else begin
        cx = cx + 1'b1;
        co = co + {{(32-CNT_W){1'b0}}, step};
      end
    end
  end
endmodule
`endif
