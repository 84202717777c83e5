`ifdef POTACC_X
// Window generator and slab buffer of one unit (potacc-x depthwise mode; not
// in the reference design). Replaces the unit's local input buffer when the
// design has the depthwise mode (POTACC_X, DW_MODE = 1).
//
// Memory: 4 copies (one per PE depth lane) of 4 banks x LI_DEPTH words of 32
// bits. Every write (strip broadcast or slab LOAD_INP) puts stream word q of
// a beat in bank q of every copy at the beat's address, so
//   * GEMM mode: copy 0 read at the depth step is the reference's local-input
//     line (row q = bank q), and x_cols repeats it for every column;
//   * depthwise mode: at depth step i the 4 copies serve taps 4i..4i+3, and
//     within a copy the 4 banks serve the tile's 4 output pixels at once: the
//     driver's slab pitch puts the words of 4 consecutive pixels at one tap in
//     4 different banks (src/accel/depthwise.cc, SlabPitch / SlabWordPosition:
//     word a of a block is in bank (a >> SSHIFT) mod 4 at beat
//     (a >> (SSHIFT + 2)) << SSHIFT | a mod 2^SSHIFT), so bank b of copy l is
//     read at the address of the pixel whose word it holds: a rotation by the
//     bank of pixel 0.
// x_cols byte (col c, row j, lane l) = channel c of the word of pixel j at
// tap 4i + l, or 0 when the pixel is past the tile (p >= rows), its window
// row past the slab, or the tap past kh*kw (padded taps have weight 0; the
// simulator's DepthwiseDot sums exactly these products).
//
// Tap walker (dw_walk4.v): (kx, window row offset, word offset) of tap 4i,
// advanced by 4 taps per depth step: kx + 1 == kw wraps to the next window
// row, adding tap_jump = dilation_h * pitch - (kw - 1) * dilation_w words.
module dw_window #(
  parameter integer LI_DEPTH  = 2048,
  parameter integer LI_AW     = 11,
  parameter integer CNT_W     = 16,
  parameter integer MEM_STYLE = 0
) (
  input  wire               clk,
  // writes: strip broadcast (all units) or this unit's slab beats
  input  wire               we,
  input  wire [LI_AW-1:0]   waddr,
  input  wire [127:0]       wdata,
  // CONFIG / CONFIG_DW / LOAD_INP registers
  input  wire               dw,          // depthwise layer configured
  input  wire [CNT_W-1:0]   kw,          // filter width
  input  wire [CNT_W-1:0]   taps,        // kh * kw
  input  wire [CNT_W-1:0]   dil_w,
  input  wire [CNT_W-1:0]   dil_h,
  input  wire [31:0]        tap_jump,
  input  wire [1:0]         sshift,      // log2(stride_w)
  input  wire [CNT_W-1:0]   slab_rows,
  // the tile (latched by the unit at dispatch)
  input  wire [LI_AW-1:0]   sbase,       // first beat of the block's slab
  input  wire [4*32-1:0]    pix_a,       // word of pixel j at tap 0: [32j +: 32]
  input  wire [4*CNT_W-1:0] pix_r,       // its slab row:              [CNT_W*j +: CNT_W]
  input  wire [3:0]         pix_ok,      // pixel j < rows
  // the PE array's read port (gemm_unit rd_en / rd_addr; data one cycle later)
  input  wire               start,       // the tile's depth loop starts
  input  wire               rd_en,
  input  wire [LI_AW-1:0]   rd_addr,
  output wire [127:0]       li_rdata,    // GEMM mode: the local-input line
  output reg  [511:0]       x_cols       // activation of PE (col, row, lane) at [8*(16*col + 4*row + lane) +: 8]
);
  // ---- tap walker: lane l = tap 4i + l
  reg  [CNT_W-1:0]   t_kx, t_kyr, t_tap;
  reg  [31:0]        t_off;
  wire [5*CNT_W-1:0] w_kx, w_kyr;
  wire [5*32-1:0]    w_off;
  dw_walk4 #(.CNT_W(CNT_W)) u_walk (
    .x(t_kx), .row(t_kyr), .off(t_off), .limit(kw), .row_step(dil_h), .step(dil_w), .jump(tap_jump),
    .xs(w_kx), .rows(w_kyr), .offs(w_off));
  wire [CNT_W-1:0] l_kyr [0:3];
  wire [CNT_W-1:0] l_tap [0:3];
  wire [31:0]      l_off [0:3];
  genvar l, b;
  generate
    for (l = 0; l < 4; l = l + 1) begin : g_tap
      assign l_kyr[l] = w_kyr[l*CNT_W +: CNT_W];
      assign l_off[l] = w_off[32*l +: 32];
      assign l_tap[l] = t_tap + l[CNT_W-1:0];
    end
  endgenerate
  always @(posedge clk) begin
    if (start) begin
      t_kx <= {CNT_W{1'b0}}; t_kyr <= {CNT_W{1'b0}}; t_tap <= {CNT_W{1'b0}}; t_off <= 32'd0;
    end else if (rd_en) begin
      t_kx <= w_kx[4*CNT_W +: CNT_W]; t_kyr <= w_kyr[4*CNT_W +: CNT_W]; t_off <= w_off[4*32 +: 32];
      t_tap <= t_tap + {{(CNT_W-3){1'b0}}, 3'd4};
    end
  end

  // ---- addresses: pixel j at lane l; bank of pixel 0 rotates the rest
  wire [31:0]  word_mask = (32'd1 << sshift) - 1'b1;
  wire [511:0] bank_q;  // copy l, bank b at [32*(4l + b) +: 32]
  reg  [1:0]   bank0_q [0:3];
  reg  [15:0] ok_q;     // (lane l, pixel j) at bit 4l + j
  generate
    for (l = 0; l < 4; l = l + 1) begin : g_lane
      wire [LI_AW-1:0] addr [0:3];
      wire [3:0]       ok;
      genvar j;
      for (j = 0; j < 4; j = j + 1) begin : g_pix
        wire [31:0]      a = pix_a[32*j +: 32] + l_off[l];
        wire [CNT_W-1:0] r = pix_r[CNT_W*j +: CNT_W] + l_kyr[l];
        wire [31:0]      beat = ((a >> ({1'b0, sshift} + 3'd2)) << sshift) | (a & word_mask);
        assign addr[j] = sbase + beat[LI_AW-1:0];
        assign ok[j]   = pix_ok[j] && l_tap[l] < taps && r < slab_rows;
      end
      wire [31:0] a0 = pix_a[31:0] + l_off[l];
      wire [31:0] a0_banks = a0 >> sshift;
      wire [1:0]  bank0 = a0_banks[1:0];
      always @(posedge clk) begin
        if (rd_en) begin
          bank0_q[l]      <= bank0;
          ok_q[4*l +: 4]  <= ok;
        end
      end
      for (b = 0; b < 4; b = b + 1) begin : g_bank
        wire [1:0]       pix = b[1:0] - bank0;   // the pixel whose word bank b holds
        wire [LI_AW-1:0] raddr = dw ? addr[pix] : rd_addr;
        bram_sdp #(.WIDTH(32), .DEPTH(LI_DEPTH), .ADDR_W(LI_AW), .STYLE(MEM_STYLE)) u_bank (
          .clk(clk), .we(we), .waddr(waddr), .wdata(wdata[32*b +: 32]),
          .re(rd_en), .raddr(raddr), .rdata(bank_q[32*(4*l + b) +: 32]));
      end
    end
  endgenerate

  assign li_rdata = bank_q[127:0];

  // ---- operands (the cycle after the read)
  integer c, j2, l2;
  reg [31:0] word;
  reg [1:0]  bank;
  always @(*) begin
    for (l2 = 0; l2 < 4; l2 = l2 + 1)
      for (j2 = 0; j2 < 4; j2 = j2 + 1) begin
        bank = bank0_q[l2] + j2[1:0];
        word = bank_q[32*(4*l2 + {30'd0, bank}) +: 32];
        for (c = 0; c < 4; c = c + 1)
          x_cols[8*(16*c + 4*j2 + l2) +: 8] = !dw ? li_rdata[8*(4*j2 + l2) +: 8]
                                            : ok_q[4*l2 + j2] ? word[8*c +: 8] : 8'd0;
      end
  end
endmodule
`endif
