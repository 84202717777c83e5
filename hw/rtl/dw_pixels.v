`ifdef POTACC_X
// Output-pixel walker of a depthwise COMPUTE (potacc-x; not in the reference
// design): the 4 output pixels of the current strip as the window generators
// need them (dw_window.v): each pixel's slab word at tap 0, its slab row, and
// whether it is inside the COMPUTE's rows. Pixel p of a tile is output row
// p / out_w, column p % out_w (src/accel/depthwise.cc); one step to the next
// pixel adds stride_w words, or at the end of an output row stride_h slab
// rows: row_jump = stride_h * pitch - (out_w - 1) * stride_w words. No
// division or multiplication per pixel: 4 chained steps per strip.
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
  reg  [CNT_W-1:0] ox, r, left;
  reg  [31:0]      a;
  reg  [CNT_W-1:0] s_ox [0:4];
  reg  [CNT_W-1:0] s_r  [0:4];
  reg  [31:0]      s_a  [0:4];
  integer i;
  always @(*) begin
    s_ox[0] = ox; s_r[0] = r; s_a[0] = a;
    for (i = 0; i < 4; i = i + 1) begin
      if (s_ox[i] + 1'b1 == out_w) begin  // next output row
        s_ox[i+1] = {CNT_W{1'b0}};
        s_r[i+1]  = s_r[i] + stride_h;
        s_a[i+1]  = s_a[i] + row_jump;
      end else begin
        s_ox[i+1] = s_ox[i] + 1'b1;
        s_r[i+1]  = s_r[i];
        s_a[i+1]  = s_a[i] + {{(32-CNT_W){1'b0}}, stride_w};
      end
    end
  end
  genvar j;
  generate
    for (j = 0; j < 4; j = j + 1) begin : g_pix
      assign pix_a[32*j +: 32]       = s_a[j];
      assign pix_r[CNT_W*j +: CNT_W] = s_r[j];
      assign pix_ok[j]               = left > j[CNT_W-1:0];
    end
  endgenerate
  always @(posedge clk) begin
    if (start) begin
      ox <= {CNT_W{1'b0}}; r <= {CNT_W{1'b0}}; a <= 32'd0; left <= rows;
    end else if (advance) begin
      ox <= s_ox[4]; r <= s_r[4]; a <= s_a[4];
      left <= left > 4 ? left - {{(CNT_W-3){1'b0}}, 3'd4} : {CNT_W{1'b0}};
    end
  end
endmodule
`endif
