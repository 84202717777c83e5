// The whole accelerator (reference §2): four 32-bit AXI4-Stream slaves in,
// four masters out, the §3 command protocol in band on the streams.
//
//   s_axis[q] -> skid buffer -> input_handler -+-> global input buffer (gib)
//                                               +-> unit weight / epilogue buffers
//                                               +-> scheduler --(strip broadcast, dispatch)--> accel_unit x UNITS
//   accel_unit: local input + weight buffers, gemm_unit (PE array), ppu, output FIFO
//   arranger <- unit ids (scheduler), unit output FIFOs -> m_axis[q]
//   status registers (read-only, the reference's AXI-Lite "slv0" role): stat_addr -> stat_data
//
// Every parameter comes from the C++ AcceleratorConfig through the generated
// wrapper potacc_accel_top.v (potacc::hw::AccelRtlParams); none is typed here.
// Stream q word bits are [32q +: 32] of the 128-bit buses. Input TLAST is
// ignored (commands frame themselves); outputs carry TLAST on the end beat.
// rst is synchronous and active high.
module potacc_accel #(
  parameter integer METHOD             = 0,
  parameter integer SIGN_QUIRK         = 0,
  parameter integer ROUNDING           = 0,
  parameter integer UNITS              = 4,
  parameter integer GIB_DEPTH          = 8192,
  parameter integer LI_DEPTH           = 2048,
  parameter integer W_LINES            = 2048,
  parameter integer WS_DEPTH           = 128,
  parameter integer LINES_SHIFT        = 1,
  parameter integer MEM_STYLE          = 0,
  parameter integer ARR_DEPTH          = 16,
  parameter integer START_WAIT         = 1,
  parameter integer POLL_WAIT          = 1,
  parameter integer BCAST_SETUP        = 1,
  parameter integer BCAST_PER_BEAT     = 3,
  parameter integer DDELAY_WAIT        = 2,
  parameter integer AFTER_LAST_WAIT    = 1,
  parameter integer AFTER_NEXT_WAIT    = 3,
  parameter integer PE_EXTRA           = 7,
  parameter integer REARM_WAIT         = 1,
  parameter integer PPU_OCCUPANCY      = 57,
  parameter integer PPU_OUT_LATENCY    = 56,
  parameter integer CONFIG_EXTRA       = 0,
  parameter integer LOAD_INPUT_EXTRA   = 0,
  parameter integer LOAD_WEIGHT_EXTRA  = 5,
  parameter integer NOP_EXTRA          = 0,
  parameter integer COMPUTE_START_WAIT = 1
`ifdef POTACC_X
  // potacc-x extensions (not in the reference design; compiled with POTACC_X)
  , parameter integer DW_MODE          = 0   // depthwise mode: window generators (dw_window.v, dw_pixels.v)
  , parameter integer DW_SETUP         = 1   // dw_strip_setup_cycles
  , parameter integer PSUM_DEPTH       = 0   // depth splitting: partial-sum entries per unit (0: none)
  , parameter integer PSUM_WAIT        = 0   // psum_cycles
  , parameter integer PSUM_STYLE       = 2   // partial-sum buffer: bram_sdp STYLE
`endif
) (
  input  wire         clk,
  input  wire         rst,
  input  wire [127:0] s_axis_tdata,
  input  wire [3:0]   s_axis_tvalid,
  output wire [3:0]   s_axis_tready,
  input  wire [3:0]   s_axis_tlast,
  output wire [127:0] m_axis_tdata,
  output wire [3:0]   m_axis_tvalid,
  input  wire [3:0]   m_axis_tready,
  output wire [3:0]   m_axis_tlast,
  input  wire [5:0]   stat_addr,
  output reg  [31:0]  stat_data,
  output wire         idle          // no command in progress and no word buffered
);
  localparam integer CNT_W  = 16;
  localparam integer GIB_AW = $clog2(GIB_DEPTH);
  localparam integer LI_AW  = $clog2(LI_DEPTH);
  localparam integer W_AW   = $clog2(W_LINES);
  localparam integer WS_AW  = $clog2(WS_DEPTH);
  localparam integer UID_W  = UNITS > 1 ? $clog2(UNITS) : 1;
  localparam [31:0] MAGIC = 32'h506f_5441;  // "PoTA"
`ifdef POTACC_X
  localparam integer PSUM_AW = PSUM_DEPTH > 1 ? $clog2(PSUM_DEPTH) : 1;
`endif

  // ---- input skid buffers (registered TREADY, one word per cycle per stream)
  wire [127:0] in_data;
  wire [3:0]   in_empty, in_full, in_pop;
  genvar q;
  generate
    for (q = 0; q < 4; q = q + 1) begin : g_in
      sync_fifo #(.WIDTH(32), .DEPTH(2)) u_skid (
        .clk(clk), .rst(rst), .push(s_axis_tvalid[q]), .din(s_axis_tdata[32*q +: 32]),
        .pop(in_pop[q]), .dout(in_data[32*q +: 32]), .empty(in_empty[q]), .full(in_full[q]), .count());
      assign s_axis_tready[q] = !in_full[q];
    end
  endgenerate

  // ---- input handler
  wire [CNT_W-1:0] cfg_d, cfg_lines, strips, blocks;
  wire [31:0]      cfg_zp;
  wire             gib_we;
  wire [GIB_AW-1:0] gib_waddr;
  wire [127:0]     gib_wdata;
  wire [UNITS-1:0] w_we, epi_we_b, epi_we_m, epi_we_s;
  wire [W_AW-1:0]  w_waddr;
  wire [127:0]     w_wdata, epi_wdata;
  wire [WS_AW-1:0] epi_waddr;
  wire             go, sched_done, ih_idle;
  wire [2:0]       ih_state;
`ifdef POTACC_X
  wire [1:0]       psum_mode;
  wire             cfg_dw;
  wire [CNT_W-1:0] cfg_kw, cfg_taps, cfg_dil_w, cfg_dil_h, cfg_out_w, cfg_stride_w, cfg_stride_h;
  wire [CNT_W-1:0] slab_rows, slab_bpb, cmp_rows;
  wire [31:0]      cfg_tap_jump, cfg_row_jump;
  wire [1:0]       cfg_sshift;
  wire [UNITS-1:0] sl_we;
  wire [LI_AW-1:0] sl_waddr, disp_sbase;
  wire             strip_next;
`endif
  input_handler #(
    .UNITS(UNITS), .GIB_AW(GIB_AW), .W_AW(W_AW), .WS_AW(WS_AW), .CNT_W(CNT_W),
    .CONFIG_EXTRA(CONFIG_EXTRA), .LOAD_INPUT_EXTRA(LOAD_INPUT_EXTRA), .LOAD_WEIGHT_EXTRA(LOAD_WEIGHT_EXTRA),
    .NOP_EXTRA(NOP_EXTRA), .COMPUTE_START_WAIT(COMPUTE_START_WAIT), .LINES_SHIFT(LINES_SHIFT)
`ifdef POTACC_X
    , .LI_AW(LI_AW)
`endif
  ) u_input_handler (
    .clk(clk), .rst(rst), .in_data(in_data), .in_valid(~in_empty), .in_pop(in_pop),
    .cfg_d(cfg_d), .cfg_lines(cfg_lines), .cfg_zp(cfg_zp),
    .gib_we(gib_we), .gib_waddr(gib_waddr), .gib_wdata(gib_wdata),
    .w_we(w_we), .w_waddr(w_waddr), .w_wdata(w_wdata),
    .epi_we_b(epi_we_b), .epi_we_m(epi_we_m), .epi_we_s(epi_we_s), .epi_waddr(epi_waddr), .epi_wdata(epi_wdata),
    .go(go), .strips(strips), .blocks(blocks), .sched_done(sched_done),
`ifdef POTACC_X
    .psum_mode(psum_mode), .cfg_dw(cfg_dw), .cfg_kw(cfg_kw), .cfg_taps(cfg_taps), .cfg_dil_w(cfg_dil_w),
    .cfg_dil_h(cfg_dil_h), .cfg_tap_jump(cfg_tap_jump), .cfg_sshift(cfg_sshift), .cfg_out_w(cfg_out_w),
    .cfg_stride_w(cfg_stride_w),
    .cfg_stride_h(cfg_stride_h), .cfg_row_jump(cfg_row_jump), .slab_rows(slab_rows), .slab_bpb(slab_bpb),
    .cmp_rows(cmp_rows), .sl_we(sl_we), .sl_waddr(sl_waddr),
`endif
    .state_code(ih_state), .idle(ih_idle));
  assign idle = ih_idle && (&in_empty);

  // ---- global input buffer (4 banks x 32 bits = one 128-bit line per beat)
  wire              gib_re;
  wire [GIB_AW-1:0] gib_raddr;
  wire [127:0]      gib_rdata;
  bram_sdp #(.WIDTH(128), .DEPTH(GIB_DEPTH), .ADDR_W(GIB_AW), .STYLE(0)) u_gib (
    .clk(clk), .we(gib_we), .waddr(gib_waddr), .wdata(gib_wdata),
    .re(gib_re), .raddr(gib_raddr), .rdata(gib_rdata));

  // ---- scheduler
  wire [UNITS-1:0] unit_ready, ppu_done, compute, send_done;
  wire [WS_AW-1:0] disp_slot;
  wire [W_AW-1:0]  disp_wbase;
  wire             li_we;
  wire [LI_AW-1:0] li_waddr;
  wire             arr_full, arr_push;
  wire [UID_W-1:0] arr_id;
  wire [3:0]       sched_state;
  scheduler #(
    .UNITS(UNITS), .CNT_W(CNT_W), .GIB_AW(GIB_AW), .LI_AW(LI_AW), .W_AW(W_AW), .WS_AW(WS_AW),
    .ARR_DEPTH(ARR_DEPTH), .START_WAIT(START_WAIT), .POLL_WAIT(POLL_WAIT), .BCAST_SETUP(BCAST_SETUP),
    .BCAST_PER_BEAT(BCAST_PER_BEAT), .DDELAY_WAIT(DDELAY_WAIT), .AFTER_LAST_WAIT(AFTER_LAST_WAIT),
    .AFTER_NEXT_WAIT(AFTER_NEXT_WAIT)
`ifdef POTACC_X
    , .DW_SETUP(DW_SETUP)
`endif
  ) u_scheduler (
    .clk(clk), .rst(rst), .go(go), .strips(strips), .blocks(blocks), .d(cfg_d), .lines(cfg_lines),
    .unit_ready(unit_ready), .ppu_done(ppu_done), .compute(compute), .send_done(send_done),
    .disp_slot(disp_slot), .disp_wbase(disp_wbase), .gib_re(gib_re), .gib_raddr(gib_raddr),
    .li_we(li_we), .li_waddr(li_waddr), .arr_full(arr_full), .arr_push(arr_push), .arr_id(arr_id),
`ifdef POTACC_X
    .done(sched_done), .state(sched_state),
    .tile_outputs(!(PSUM_DEPTH > 0 && (psum_mode == 2'd1 || psum_mode == 2'd2))),
    .dw(cfg_dw), .slab_bpb(slab_bpb), .disp_sbase(disp_sbase), .strip_next(strip_next));
`else
    .done(sched_done), .state(sched_state));
`endif
`ifdef POTACC_X
  // ---- depthwise pixel walker (the strip's 4 output pixels, for every unit)
  wire [4*32-1:0]    pix_a;
  wire [4*CNT_W-1:0] pix_r;
  wire [3:0]         pix_ok;
  dw_pixels #(.CNT_W(CNT_W)) u_pixels (
    .clk(clk), .start(go), .advance(strip_next), .rows(cmp_rows), .out_w(cfg_out_w), .stride_w(cfg_stride_w),
    .stride_h(cfg_stride_h), .row_jump(cfg_row_jump), .pix_a(pix_a), .pix_r(pix_r), .pix_ok(pix_ok));
`endif

  // ---- GEMM units
  wire [UNITS*129-1:0] unit_head;
  wire [UNITS-1:0]     unit_empty, unit_pop, pe_busy, ppu_busy, tile_start, handoff;
  genvar u;
  generate
    for (u = 0; u < UNITS; u = u + 1) begin : g_unit
      accel_unit #(
        .METHOD(METHOD), .SIGN_QUIRK(SIGN_QUIRK), .ROUNDING(ROUNDING), .CNT_W(CNT_W),
        .LI_DEPTH(LI_DEPTH), .LI_AW(LI_AW), .W_LINES(W_LINES), .W_AW(W_AW), .WS_DEPTH(WS_DEPTH), .WS_AW(WS_AW),
        .LINES_SHIFT(LINES_SHIFT), .MEM_STYLE(MEM_STYLE), .PE_EXTRA(PE_EXTRA), .REARM_WAIT(REARM_WAIT),
        .PPU_OCCUPANCY(PPU_OCCUPANCY), .PPU_OUT_LATENCY(PPU_OUT_LATENCY), .OUT_FIFO_DEPTH(ARR_DEPTH + 1)
`ifdef POTACC_X
        , .DW_MODE(DW_MODE), .PSUM_DEPTH(PSUM_DEPTH), .PSUM_AW(PSUM_AW), .PSUM_WAIT(PSUM_WAIT),
        .PSUM_STYLE(PSUM_STYLE)
`endif
      ) u_unit (
        .clk(clk), .rst(rst), .cfg_d(cfg_d), .cfg_zp(cfg_zp),
        .li_we(li_we), .li_waddr(li_waddr), .li_wdata(gib_rdata),
        .w_we(w_we[u]), .w_waddr(w_waddr), .w_wdata(w_wdata),
        .epi_we_b(epi_we_b[u]), .epi_we_m(epi_we_m[u]), .epi_we_s(epi_we_s[u]), .epi_waddr(epi_waddr),
        .epi_wdata(epi_wdata),
        .compute(compute[u]), .disp_slot(disp_slot), .disp_wbase(disp_wbase), .ready(unit_ready[u]),
        .send_done(send_done[u]), .ppu_done(ppu_done[u]),
        .out_pop(unit_pop[u]), .out_head(unit_head[129*u +: 129]), .out_empty(unit_empty[u]),
`ifdef POTACC_X
        .pe_busy(pe_busy[u]), .ppu_busy(ppu_busy[u]), .tile_start(tile_start[u]), .handoff(handoff[u]),
        .cmd_start(go), .psum_mode(psum_mode),
        .cfg_dw(cfg_dw), .cfg_kw(cfg_kw), .cfg_taps(cfg_taps), .cfg_dil_w(cfg_dil_w), .cfg_dil_h(cfg_dil_h),
        .cfg_tap_jump(cfg_tap_jump), .cfg_sshift(cfg_sshift), .slab_rows(slab_rows), .sl_we(sl_we[u]),
        .sl_waddr(sl_waddr), .sl_wdata(gib_wdata), .disp_sbase(disp_sbase), .disp_pix_a(pix_a),
        .disp_pix_r(pix_r), .disp_pix_ok(pix_ok));
`else
        .pe_busy(pe_busy[u]), .ppu_busy(ppu_busy[u]), .tile_start(tile_start[u]), .handoff(handoff[u]));
`endif
    end
  endgenerate

  // ---- arranger
  wire tlast_out;
  arranger #(.UNITS(UNITS), .ARR_DEPTH(ARR_DEPTH)) u_arranger (
    .clk(clk), .rst(rst), .id_push(arr_push), .id_in(arr_id), .id_full(arr_full),
    .unit_head(unit_head), .unit_empty(unit_empty), .unit_pop(unit_pop),
    .m_tdata(m_axis_tdata), .m_tvalid(m_axis_tvalid), .m_tlast(m_axis_tlast), .m_tready(m_axis_tready),
    .tlast_out(tlast_out));

  // ---- status and performance counters (the SystemC model's counters, reference §2.7)
  wire [32*UNITS-1:0] pe_busy_cnt, ppu_busy_cnt, tiles_cnt;
  reg  [31:0]         cycles, since_handoff, post_drain;
  generate
    for (u = 0; u < UNITS; u = u + 1) begin : g_perf
      perf_counter u_pe_busy (.clk(clk), .rst(rst), .inc(pe_busy[u]), .value(pe_busy_cnt[32*u +: 32]));
      perf_counter u_ppu_busy (.clk(clk), .rst(rst), .inc(ppu_busy[u]), .value(ppu_busy_cnt[32*u +: 32]));
      perf_counter u_tiles (.clk(clk), .rst(rst), .inc(tile_start[u]), .value(tiles_cnt[32*u +: 32]));
    end
  endgenerate
  always @(posedge clk) begin
    if (rst) begin
      cycles        <= 32'd0;
      since_handoff <= 32'd0;
      post_drain    <= 32'd0;
    end else begin
      cycles        <= cycles + 1'b1;
      since_handoff <= |handoff ? 32'd0 : since_handoff + 1'b1;
      if (tlast_out) post_drain <= since_handoff + 1'b1;
    end
  end

  // Register map (32-bit words): 0 magic, 1 {UNITS, METHOD, ROUNDING}, 2 state
  // {idle, scheduler state, handler state}, 3 post-drain cycles of the last
  // COMPUTE, 4 cycle counter; 16 + u, 32 + u, 48 + u: unit u's PE-busy cycles,
  // PPU-busy cycles and tiles (wrap-around counters; UNITS <= 16).
  wire [3:0] su = stat_addr[3:0];
  /* verilator lint_off WIDTH */
  localparam [4:0] UNITS_5 = UNITS;
  /* verilator lint_on WIDTH */
  always @(*) begin
    stat_data = 32'd0;
    if (stat_addr[5:4] == 2'd0) begin
      case (stat_addr[3:0])
        4'd0: stat_data = MAGIC;
        4'd1: stat_data = {8'd0, UNITS[7:0], METHOD[7:0], ROUNDING[7:0]};
        4'd2: stat_data = {23'd0, idle, sched_state, 1'b0, ih_state};
        4'd3: stat_data = post_drain;
        4'd4: stat_data = cycles;
        default: stat_data = 32'd0;
      endcase
    end else if ({1'b0, su} < UNITS_5) begin
      case (stat_addr[5:4])
        2'd1: stat_data = pe_busy_cnt[32*su +: 32];
        2'd2: stat_data = ppu_busy_cnt[32*su +: 32];
        default: stat_data = tiles_cnt[32*su +: 32];
      endcase
    end
  end
endmodule
