`ifdef POTACC_X
// Output-pixel walker of a depthwise COMPUTE (potacc-x; not in the reference
// design): the 4 output pixels of the current strip as the window generators
// need them (dw_window.v): each pixel's slab word at tap 0, its slab row, and
// whether it is inside the COMPUTE's rows. Pixel p of a tile is output row
// p / out_w, column p % out_w (src/accel/depthwise.cc); one step to the next
// pixel adds stride_w words, or at the end of an output row stride_h slab
// rows: row_jump = stride_h * pitch - (out_w - 1) * stride_w words. No
// division or multiplication per pixel: 4 chained steps per strip (dw_walk4.v).
module dw_pixels #(
  parameter integer CNT_W = 16
) (
  input  wire               clk,
  input  wire               start,     // a COMPUTE starts: pixel 0
  input  wire               advance,   // the strip's last dispatch: 4 pixels on
  input  wire [CNT_W-1:0]   rows,      // the COMPUTE's rows (pixels)
  input  wire [CNT_W-1:0]   out_w,
  input  wire [CNT_W-1:0]   stride_w,
  input  wire [CNT_W-1:0]   stride_h,
  input  wire [31:0]        row_jump,
  output wire [4*32-1:0]    pix_a,     // [32j +: 32]
  output wire [4*CNT_W-1:0] pix_r,     // [CNT_W*j +: CNT_W]
  output wire [3:0]         pix_ok
);
  reg  [CNT_W-1:0]   ox, r, left;
  reg  [31:0]        a;
  wire [5*CNT_W-1:0] s_ox, s_r;
  wire [5*32-1:0]    s_a;
  dw_walk4 #(.CNT_W(CNT_W)) u_walk (
    .x(ox), .row(r), .off(a), .limit(out_w), .row_step(stride_h), .step(stride_w), .jump(row_jump),
    .xs(s_ox), .rows(s_r), .offs(s_a));
  genvar j;
  generate
    for (j = 0; j < 4; j = j + 1) begin : g_pix
      assign pix_a[32*j +: 32]       = s_a[32*j +: 32];
      assign pix_r[CNT_W*j +: CNT_W] = s_r[CNT_W*j +: CNT_W];
      assign pix_ok[j]               = left > j[CNT_W-1:0];
    end
  endgenerate
  always @(posedge clk) begin
    if (start) begin
      ox <= {CNT_W{1'b0}}; r <= {CNT_W{1'b0}}; a <= 32'd0; left <= rows;
    end else if (advance) begin
      ox <= s_ox[4*CNT_W +: CNT_W]; r <= s_r[4*CNT_W +: CNT_W]; a <= s_a[4*32 +: 32];
      left <= left > 4 ? left - {{(CNT_W-3){1'b0}}, 3'd4} : {CNT_W{1'b0}};
    end
  end
endmodule
`endif
