// One GEMM unit of the accelerator (reference §2.1, §2.4, §2.5): its buffers,
// the PE array (gemm_unit.v), its post-processing unit (ppu.v), its output
// FIFO and the Compute thread that ties them together.
//
// Buffers (all bram_sdp, written by the input handler / the scheduler's strip
// broadcast, read by this unit):
//   local input  LI_DEPTH lines x 128 bits: line i = depth step i of the current
//                strip (row q at [32q +: 32], byte j = depth 4i + j)
//   weights      W_LINES lines x 128 bits: block slot j starts at line j * lines;
//                4-bit codes: one line = one 128-bit load beat = depth steps 2t
//                (low 16 bits of each stream word) and 2t + 1 (high 16 bits);
//                int8: one line = one depth step (stream word c = column c)
//   epilogue     WS_DEPTH entries of B (4 x 32), Mq (4 x 32), S (4 x 8) per slot
//
// Compute thread (src/accel/timing_cycle.cc, reference §2.5):
//   IDLE     ready = 1; on compute (from the scheduler): ready <= 0, latch the
//            tile (slot, first weight line), read the slot's epilogue
//   WAITLOW  wait until the scheduler drops compute; start the PE array
//   PE       PE_WAIT cycles (= d + pe_overhead - unit_rearm_cycles - 4: the depth
//            loop d and the pipeline drain); the PE array finishes inside
//   WAITPPU  hand the 16 sums (+ Mq, S) to the PPU as soon as it is free
// Multiplier PEs (uniform4, int8) use the radix-4 Booth LUT multiplier
// (pe_multiplier.v STYLE 1): the products stay in LUTs, as in the reference INT8 design.
//   REARM    ready again REARM_WAIT cycles later
module accel_unit #(
  parameter integer METHOD      = 0,
  parameter integer SIGN_QUIRK  = 0,
  parameter integer ROUNDING    = 0,
  parameter integer CNT_W       = 16,
  parameter integer LI_DEPTH    = 2048,
  parameter integer LI_AW       = 11,
  parameter integer W_LINES     = 2048,
  parameter integer W_AW        = 11,
  parameter integer WS_DEPTH    = 128,
  parameter integer WS_AW       = 7,
  parameter integer LINES_SHIFT = 1,    // depth steps per weight line = 2^LINES_SHIFT
  parameter integer MEM_STYLE   = 0,    // weight / local input buffers: 0 block RAM, 1 UltraRAM
  parameter integer PE_EXTRA    = 7,    // PE state = d + PE_EXTRA cycles
  parameter integer REARM_WAIT  = 1,
  parameter integer PPU_OCCUPANCY   = 57,
  parameter integer PPU_OUT_LATENCY = 56,
  parameter integer OUT_FIFO_DEPTH  = 17
`ifdef POTACC_X
  , parameter integer DW_MODE       = 0    // potacc-x depthwise mode: dw_window.v replaces the local input buffer
  , parameter integer PSUM_DEPTH    = 0    // potacc-x depth splitting: partial-sum entries (0: none)
  , parameter integer PSUM_AW       = 1
  , parameter integer PSUM_WAIT     = 0    // extra PE-state cycles of a partial-sum tile
  , parameter integer PSUM_STYLE    = 2    // partial-sum buffer: bram_sdp STYLE
`endif
) (
  input  wire               clk,
  input  wire               rst,
  input  wire [CNT_W-1:0]   cfg_d,
  input  wire [31:0]        cfg_zp,
  // buffer writes
  input  wire               li_we,
  input  wire [LI_AW-1:0]   li_waddr,
  input  wire [127:0]       li_wdata,
  input  wire               w_we,
  input  wire [W_AW-1:0]    w_waddr,
  input  wire [127:0]       w_wdata,
  input  wire               epi_we_b,
  input  wire               epi_we_m,
  input  wire               epi_we_s,
  input  wire [WS_AW-1:0]   epi_waddr,
  input  wire [127:0]       epi_wdata,
  // scheduler handshakes
  input  wire               compute,
  input  wire [WS_AW-1:0]   disp_slot,
  input  wire [W_AW-1:0]    disp_wbase,
  output reg                ready,
  input  wire               send_done,
  output wire               ppu_done,
  // output FIFO (read by the Arranger)
  input  wire               out_pop,
  output wire [128:0]       out_head,
  output wire               out_empty,
  // activity (performance counters)
  output wire               pe_busy,
  output wire               ppu_busy,
  output wire               tile_start,
  output wire               handoff
`ifdef POTACC_X
  // potacc-x depthwise mode (DW_MODE): configuration, this unit's slab beats,
  // and the tile's slab base and pixels (latched at dispatch)
  //
  // Partial sums (depth splitting, PSUM_DEPTH > 0): a PSUM_DEPTH x 512-bit
  // buffer; the tiles of one COMPUTE take entries 0, 1, ... in the order this
  // unit receives them (reset by cmd_start), so the K-chunks of a tile,
  // dispatched in the same order, meet in the same entry. psum_mode (command.h
  // PsumMode): kFirst writes the sums (bias 0), kMiddle writes sums + entry,
  // kLast hands sums + B + entry to the PPU (32-bit wrap-around); any mode adds
  // PSUM_WAIT cycles to the PE state, and kFirst / kMiddle go from PE straight
  // to REARM (no PPU, no output beat).
  , input  wire             cmd_start,
  input  wire [1:0]         psum_mode,
  input  wire               cfg_dw,
  input  wire [CNT_W-1:0]   cfg_kw,
  input  wire [CNT_W-1:0]   cfg_taps,
  input  wire [CNT_W-1:0]   cfg_dil_w,
  input  wire [CNT_W-1:0]   cfg_dil_h,
  input  wire [31:0]        cfg_tap_jump,
  input  wire [1:0]         cfg_sshift,
  input  wire [CNT_W-1:0]   slab_rows,
  input  wire               sl_we,
  input  wire [LI_AW-1:0]   sl_waddr,
  input  wire [127:0]       sl_wdata,
  input  wire [LI_AW-1:0]   disp_sbase,
  input  wire [4*32-1:0]    disp_pix_a,
  input  wire [4*CNT_W-1:0] disp_pix_r,
  input  wire [3:0]         disp_pix_ok
`endif
);
`include "potacc_methods.vh"
  localparam integer CODE_W = method_code_bits(METHOD);
  /* verilator lint_off WIDTH */
  localparam [CNT_W:0] PE_EXTRA_W = PE_EXTRA;
  localparam [CNT_W:0] REARM_CNT = REARM_WAIT - 1;
`ifdef POTACC_X
  localparam [CNT_W:0] PSUM_WAIT_W = PSUM_WAIT;
`endif
  /* verilator lint_on WIDTH */
  localparam [2:0] U_IDLE = 3'd0, U_WAITLOW = 3'd1, U_PE = 3'd2, U_WAITPPU = 3'd3, U_REARM = 3'd4;

  reg [2:0]       st;
  reg [CNT_W:0]   cnt;
  reg [W_AW-1:0]  wbase;

  // ---- buffers
  wire              g_rd_en;
  wire [CNT_W-1:0]  g_rd_addr;
  wire [127:0]      li_rdata, w_rdata;
`ifdef POTACC_X
  wire [511:0] x_cols;
  wire         pe_start;
  generate
    if (DW_MODE != 0) begin : g_window
      reg [LI_AW-1:0]   sbase;
      reg [4*32-1:0]    pix_a;
      reg [4*CNT_W-1:0] pix_r;
      reg [3:0]         pix_ok;
      always @(posedge clk) begin
        if (st == U_IDLE && compute) begin
          sbase <= disp_sbase; pix_a <= disp_pix_a; pix_r <= disp_pix_r; pix_ok <= disp_pix_ok;
        end
      end
      dw_window #(.LI_DEPTH(LI_DEPTH), .LI_AW(LI_AW), .CNT_W(CNT_W), .MEM_STYLE(MEM_STYLE)) u_window (
        .clk(clk), .we(li_we || sl_we), .waddr(sl_we ? sl_waddr : li_waddr), .wdata(sl_we ? sl_wdata : li_wdata),
        .dw(cfg_dw), .kw(cfg_kw), .taps(cfg_taps), .dil_w(cfg_dil_w), .dil_h(cfg_dil_h), .tap_jump(cfg_tap_jump),
        .sshift(cfg_sshift), .slab_rows(slab_rows), .sbase(sbase), .pix_a(pix_a), .pix_r(pix_r), .pix_ok(pix_ok),
        .start(pe_start), .rd_en(g_rd_en), .rd_addr(g_rd_addr[LI_AW-1:0]), .li_rdata(li_rdata), .x_cols(x_cols));
    end else begin : g_local_input
      bram_sdp #(.WIDTH(128), .DEPTH(LI_DEPTH), .ADDR_W(LI_AW), .STYLE(MEM_STYLE)) u_local_input (
        .clk(clk), .we(li_we), .waddr(li_waddr), .wdata(li_wdata),
        .re(g_rd_en), .raddr(g_rd_addr[LI_AW-1:0]), .rdata(li_rdata));
      assign x_cols = {4{li_rdata}};
    end
  endgenerate
`else
  bram_sdp #(.WIDTH(128), .DEPTH(LI_DEPTH), .ADDR_W(LI_AW), .STYLE(MEM_STYLE)) u_local_input (
    .clk(clk), .we(li_we), .waddr(li_waddr), .wdata(li_wdata),
    .re(g_rd_en), .raddr(g_rd_addr[LI_AW-1:0]), .rdata(li_rdata));
`endif
  bram_sdp #(.WIDTH(128), .DEPTH(W_LINES), .ADDR_W(W_AW), .STYLE(MEM_STYLE)) u_weights (
    .clk(clk), .we(w_we), .waddr(w_waddr), .wdata(w_wdata),
    .re(g_rd_en), .raddr(wbase + g_rd_addr[W_AW-1+LINES_SHIFT:LINES_SHIFT]), .rdata(w_rdata));

  wire epi_re = st == U_IDLE && compute;
  wire [127:0] bias, mq;
  wire [31:0]  shifts;
  bram_sdp #(.WIDTH(128), .DEPTH(WS_DEPTH), .ADDR_W(WS_AW)) u_bias (
    .clk(clk), .we(epi_we_b), .waddr(epi_waddr), .wdata(epi_wdata),
    .re(epi_re), .raddr(disp_slot), .rdata(bias));
  bram_sdp #(.WIDTH(128), .DEPTH(WS_DEPTH), .ADDR_W(WS_AW)) u_multiplier (
    .clk(clk), .we(epi_we_m), .waddr(epi_waddr), .wdata(epi_wdata),
    .re(epi_re), .raddr(disp_slot), .rdata(mq));
  bram_sdp #(.WIDTH(32), .DEPTH(WS_DEPTH), .ADDR_W(WS_AW)) u_shift (
    .clk(clk), .we(epi_we_s), .waddr(epi_waddr), .wdata(epi_wdata[31:0]),
    .re(epi_re), .raddr(disp_slot), .rdata(shifts));

  // ---- weight word of the depth step being read (4-bit codes: half of a line)
  wire [16*CODE_W-1:0] w_word;
  generate
    if (LINES_SHIFT == 1) begin : g_half_lines
      reg odd_step;
      always @(posedge clk) odd_step <= g_rd_addr[0];
      assign w_word = odd_step ? {w_rdata[127:112], w_rdata[95:80], w_rdata[63:48], w_rdata[31:16]}
                               : {w_rdata[111:96], w_rdata[79:64], w_rdata[47:32], w_rdata[15:0]};
    end else begin : g_full_lines
      assign w_word = w_rdata[16*CODE_W-1:0];
    end
  endgenerate

  // ---- PE array
`ifdef POTACC_X
  assign pe_start = st == U_WAITLOW && cnt == 0 && !compute;
  wire         g_busy, g_done;
  wire [511:0] sums;
  wire [127:0] gemm_bias;     // B, or 0 for a tile whose sums go to the partial-sum buffer
  wire [511:0] tile_sums;     // sums (+ the tile's partial sums): to the PPU / the partial-sum buffer
  wire         psum_writes;   // kFirst / kMiddle: no PPU hand-off
  wire [CNT_W:0] psum_wait;   // PSUM_WAIT for a partial-sum tile, else 0
  wire         at_tile_end = (st == U_PE && cnt == 0) || st == U_WAITPPU;
  gemm_unit #(.METHOD(METHOD), .DEPTH_W(CNT_W), .RD_LATENCY(1), .SIGN_QUIRK(SIGN_QUIRK), .MUL_STYLE(1),
              .X_PER_COL(DW_MODE)) u_gemm (
    .clk(clk), .rst(rst), .start(pe_start), .depth(cfg_d), .bias(gemm_bias),
    .rd_en(g_rd_en), .rd_addr(g_rd_addr), .x_word(li_rdata), .w_word(w_word),
    .busy(g_busy), .done(g_done), .result(sums), .lanes(), .x_cols(x_cols));

  // ---- partial sums (depth splitting)
  generate
    if (PSUM_DEPTH > 0) begin : g_psum
      wire              reads  = psum_mode[1];                           // kMiddle, kLast
      wire              writes = psum_mode == 2'd1 || psum_mode == 2'd2;  // kFirst, kMiddle
      reg [PSUM_AW-1:0] next_entry, entry;
      wire [511:0]      held;   // the tile's entry, read at its PE start
      always @(posedge clk) begin
        if (rst || cmd_start) begin
          next_entry <= {PSUM_AW{1'b0}};
        end else if (pe_start) begin
          entry      <= next_entry;
          next_entry <= next_entry + 1'b1;
        end
      end
      bram_sdp #(.WIDTH(512), .DEPTH(PSUM_DEPTH), .ADDR_W(PSUM_AW), .STYLE(PSUM_STYLE)) u_psum (
        .clk(clk), .we(handoff && writes), .waddr(entry), .wdata(tile_sums),
        .re(pe_start && reads), .raddr(next_entry), .rdata(held));
      genvar o;
      for (o = 0; o < 16; o = o + 1) begin : g_add
        assign tile_sums[32*o +: 32] = sums[32*o +: 32] + (reads ? held[32*o +: 32] : 32'd0);
      end
      assign gemm_bias   = writes ? 128'd0 : bias;
      assign psum_writes = writes;
      assign psum_wait   = psum_mode != 2'd0 ? PSUM_WAIT_W : {(CNT_W+1){1'b0}};
    end else begin : g_no_psum
      assign tile_sums   = sums;
      assign gemm_bias   = bias;
      assign psum_writes = 1'b0;
      assign psum_wait   = {(CNT_W+1){1'b0}};
    end
  endgenerate
`else
  wire         pe_start = st == U_WAITLOW && cnt == 0 && !compute;
  wire         g_busy, g_done;
  wire [511:0] sums;
  gemm_unit #(.METHOD(METHOD), .DEPTH_W(CNT_W), .RD_LATENCY(1), .SIGN_QUIRK(SIGN_QUIRK), .MUL_STYLE(1)) u_gemm (
    .clk(clk), .rst(rst), .start(pe_start), .depth(cfg_d), .bias(bias),
    .rd_en(g_rd_en), .rd_addr(g_rd_addr), .x_word(li_rdata), .w_word(w_word),
    .busy(g_busy), .done(g_done), .result(sums), .lanes());
`endif

  // ---- post-processing unit and output FIFO
  wire         post_ready;
  wire         fifo_full, fifo_push;
  wire [128:0] fifo_din;
`ifdef POTACC_X
  // handoff: the tile leaves the PE state (to the PPU, or only to the partial-sum buffer)
  assign handoff = at_tile_end && (post_ready || psum_writes);
  ppu #(.ROUNDING(ROUNDING), .OCCUPANCY(PPU_OCCUPANCY), .OUT_LATENCY(PPU_OUT_LATENCY)) u_ppu (
    .clk(clk), .rst(rst), .handoff(handoff && !psum_writes), .sums(tile_sums), .mq(mq), .s(shifts), .zp(cfg_zp),
`else
  assign handoff = ((st == U_PE && cnt == 0) || st == U_WAITPPU) && post_ready;
  ppu #(.ROUNDING(ROUNDING), .OCCUPANCY(PPU_OCCUPANCY), .OUT_LATENCY(PPU_OUT_LATENCY)) u_ppu (
    .clk(clk), .rst(rst), .handoff(handoff), .sums(sums), .mq(mq), .s(shifts), .zp(cfg_zp),
`endif
    .send_done(send_done), .post_ready(post_ready), .ppu_done(ppu_done), .busy(ppu_busy),
    .fifo_full(fifo_full), .fifo_push(fifo_push), .fifo_din(fifo_din));
  sync_fifo #(.WIDTH(129), .DEPTH(OUT_FIFO_DEPTH)) u_out_fifo (
    .clk(clk), .rst(rst), .push(fifo_push), .din(fifo_din), .pop(out_pop), .dout(out_head),
    .empty(out_empty), .full(fifo_full), .count());

`ifdef POTACC_X
  assign pe_busy    = st == U_PE && cnt > psum_wait;
`else
  assign pe_busy    = st == U_PE && cnt != 0;
`endif
  assign tile_start = pe_start;

  // ---- Compute thread
  always @(posedge clk) begin
    if (rst) begin
      st    <= U_IDLE;
      ready <= 1'b1;
      cnt   <= {(CNT_W+1){1'b0}};
    end else begin
      if (cnt != 0) cnt <= cnt - 1'b1;
      case (st)
        U_IDLE:
          if (compute) begin
            ready <= 1'b0;
            wbase <= disp_wbase;
            st    <= U_WAITLOW;
          end
        U_WAITLOW:
          if (pe_start) begin
`ifdef POTACC_X
            cnt <= {1'b0, cfg_d} + PE_EXTRA_W + psum_wait;
`else
            cnt <= {1'b0, cfg_d} + PE_EXTRA_W;
`endif
            st  <= U_PE;
          end
        U_PE, U_WAITPPU:
          if (st == U_WAITPPU || cnt == 0) begin
`ifdef POTACC_X
            if (handoff) begin
`else
            if (post_ready) begin
`endif
              cnt <= REARM_CNT;
              st  <= U_REARM;
            end else begin
              st <= U_WAITPPU;
            end
          end
        U_REARM:
          if (cnt == 0) begin
            ready <= 1'b1;
            st    <= U_IDLE;
          end
        default: st <= U_IDLE;
      endcase
    end
  end
endmodule
