// Input_Handler + Data_In (reference §2.1, §3): decodes the opcode word on
// stream 0 and moves the command's words into the accelerator.
//
//   CONFIG    0x8, rK, zp_out                       -> depth / output zero point registers
//   LOAD_INP  0x2, NB, strips(ignored); NB beats    -> global input buffer, address t = beat t
//   LOAD_WGT  0x1, nblk, wpb, nblk/V, nblk%V, wpb;  -> block i to unit i mod V, slot i div V:
//             nblk*wpb data beats; per block the     weight lines slot*wpb + beat, then
//             epilogue beats B, Mq (4 streams), S    epilogue entry `slot` (B, Mq, packed S)
//             (stream 0)
//   COMPUTE   0x4, rows, cols                       -> scheduler (waits until it is done)
//   NOP       0x0
// Several opcode bits are handled in the order CONFIG, LOAD_WGT, LOAD_INP,
// COMPUTE (the driver sends one kind per opcode). A "beat" is one word on each
// of the four streams; header words come on stream 0 only.
//
// The words arrive through per-stream skid buffers (potacc_accel.v): `in_valid`
// says a stream's head word is present, `in_pop` consumes it. A command is
// consumed at one word (header) or one beat (data) per cycle; stalls on any
// stream only delay it.
//
// Timing (no stalls, opcode accepted by the skid buffer in cycle 0): CONFIG
// returns to IDLE in cycle 4, LOAD_INP in NB + 4, NOP in 2, LOAD_WGT in
// nblk*wpb + 3*nblk + 7, plus the *_EXTRA wait cycles (generated from the
// configuration: the reference model's handshake overheads, reference §4.2).
// COMPUTE raises `go` in cycle 4 + COMPUTE_START_WAIT.
module input_handler #(
  parameter integer UNITS              = 4,
  parameter integer GIB_AW             = 13,
  parameter integer W_AW               = 11,
  parameter integer WS_AW              = 7,
  parameter integer CNT_W              = 16,
  parameter integer CONFIG_EXTRA       = 0,
  parameter integer LOAD_INPUT_EXTRA   = 0,
  parameter integer LOAD_WEIGHT_EXTRA  = 0,
  parameter integer NOP_EXTRA          = 0,
  parameter integer COMPUTE_START_WAIT = 0,
  parameter integer LINES_SHIFT        = 1   // weight lines per block = d >> LINES_SHIFT
`ifdef POTACC_X
  , parameter integer LI_AW            = 11  // potacc-x: unit local-input address width (slab writes)
`endif
) (
  input  wire                  clk,
  input  wire                  rst,
  // head words of the four input streams (skid buffers)
  input  wire [127:0]          in_data,
  input  wire [3:0]            in_valid,
  output reg  [3:0]            in_pop,
  // CONFIG registers
  output reg  [CNT_W-1:0]      cfg_d,       // depth steps d = rK / 4
  output reg  [CNT_W-1:0]      cfg_lines,   // weight-buffer lines per block
  output reg  [31:0]           cfg_zp,      // output zero point
  // global input buffer write port
  output reg                   gib_we,
  output reg  [GIB_AW-1:0]     gib_waddr,
  output reg  [127:0]          gib_wdata,
  // unit weight buffers (shared address/data, one write enable per unit)
  output reg  [UNITS-1:0]      w_we,
  output reg  [W_AW-1:0]       w_waddr,
  output reg  [127:0]          w_wdata,
  // unit epilogue arrays: B, Mq (4 lanes of 32 bits), S (4 x 8 bits)
  output reg  [UNITS-1:0]      epi_we_b,
  output reg  [UNITS-1:0]      epi_we_m,
  output reg  [UNITS-1:0]      epi_we_s,
  output reg  [WS_AW-1:0]      epi_waddr,
  output reg  [127:0]          epi_wdata,
  // scheduler
  output reg                   go,
  output reg  [CNT_W-1:0]      strips,
  output reg  [CNT_W-1:0]      blocks,
  input  wire                  sched_done,
  // status (reference §2.7 state codes: 1 waiting opcode, 2 config done, 3 loading, 4 computing)
  output reg  [2:0]            state_code,
  output wire                  idle
`ifdef POTACC_X
  // potacc-x depthwise mode: CONFIG_DW (0x10) = CONFIG + window geometry
  // [kh, kw, stride_h, stride_w, dilation_h, dilation_w, pitch, out_w]; a
  // depthwise LOAD_INP [NB, blocks, slab rows, pitch] routes the slab of block
  // j to unit j mod V at beats (j div V) * bpb + t (like LOAD_WGT's blocks).
  //
  // potacc-x depth splitting: bits 8..9 of a COMPUTE's opcode word are its
  // PsumMode (command.h), held in psum_mode until the next command.
  , output reg  [1:0]          psum_mode,
  output reg                   cfg_dw,
  output reg  [CNT_W-1:0]      cfg_kw,
  output reg  [CNT_W-1:0]      cfg_taps,
  output reg  [CNT_W-1:0]      cfg_dil_w,
  output reg  [CNT_W-1:0]      cfg_dil_h,
  output reg  [31:0]           cfg_tap_jump,   // dilation_h * pitch - (kw - 1) * dilation_w
  output reg  [1:0]            cfg_sshift,     // log2(stride_w)
  output reg  [CNT_W-1:0]      cfg_out_w,
  output reg  [CNT_W-1:0]      cfg_stride_w,
  output reg  [CNT_W-1:0]      cfg_stride_h,
  output reg  [31:0]           cfg_row_jump,   // stride_h * pitch - (out_w - 1) * stride_w
  output reg  [CNT_W-1:0]      slab_rows,
  output reg  [CNT_W-1:0]      slab_bpb,       // beats per block slab
  output reg  [CNT_W-1:0]      cmp_rows,       // the COMPUTE's rows
  output reg  [UNITS-1:0]      sl_we,          // slab beat to unit u's local input (data: gib_wdata)
  output reg  [LI_AW-1:0]      sl_waddr
`endif
);
  localparam [4:0] S_IDLE = 5'd0, S_CFG_K = 5'd1, S_CFG_ZP = 5'd2,
                   S_LI_NB = 5'd3, S_LI_STRIPS = 5'd4, S_LI_DATA = 5'd5,
                   S_LW_NBLK = 5'd6, S_LW_WPB = 5'd7, S_LW_DIV = 5'd8, S_LW_MOD = 5'd9, S_LW_WPB2 = 5'd10,
                   S_LW_DATA = 5'd11, S_LW_EPI_B = 5'd12, S_LW_EPI_M = 5'd13, S_LW_EPI_S = 5'd14,
                   S_CMP_ROWS = 5'd15, S_CMP_COLS = 5'd16, S_CMP_DELAY = 5'd17, S_CMP_RUN = 5'd18,
                   S_WAIT = 5'd19;
`ifdef POTACC_X
  localparam [4:0] S_DW_GEO = 5'd20, S_LI_SROWS = 5'd21, S_LI_SPITCH = 5'd22, S_LI_SDATA = 5'd23;
  reg [2:0]        geo_i;                 // CONFIG_DW geometry word
  reg [CNT_W-1:0]  g_kh, g_pitch;
  reg              dw_next;               // the CONFIG being read is a CONFIG_DW
  reg [CNT_W-1:0]  sl_beat;
  reg [LI_AW-1:0]  sl_base;
  wire [3:0]       op_bits = {w0[3] | w0[4], w0[2:0]};   // CONFIG_DW is a CONFIG with geometry
  wire [31:0]      slab_words = slab_rows * g_pitch;
  wire [31:0]      slab_group = 32'd4 << cfg_sshift;       // words per bank-layout group
  wire [31:0]      slab_beats = ((slab_words + slab_group - 1'b1) >> ({1'b0, cfg_sshift} + 3'd2)) << cfg_sshift;
`endif
  localparam integer UID_W = UNITS > 1 ? $clog2(UNITS) : 1;
  /* verilator lint_off WIDTH */
  localparam [UID_W-1:0] LAST_UNIT = UNITS - 1;
  localparam [CNT_W-1:0] CONFIG_X = CONFIG_EXTRA, LOAD_INPUT_X = LOAD_INPUT_EXTRA,
                         LOAD_WEIGHT_X = LOAD_WEIGHT_EXTRA, NOP_X = NOP_EXTRA,
                         COMPUTE_X = COMPUTE_START_WAIT, NONE_X = 0;
  /* verilator lint_on WIDTH */

  reg [4:0]        state;
  reg [3:0]        pending;     // opcode bits not yet handled
  reg [CNT_W-1:0]  wait_cnt;
  reg [31:0]       count;       // beats left (LOAD_INP) / beat in block (LOAD_WGT)
  reg [CNT_W-1:0]  nblk, wpb, blk_left;
  reg [UID_W-1:0]  unit;
  reg [W_AW-1:0]   slot_base;   // first weight line of the current slot
  reg [WS_AW-1:0]  slot;

  assign idle = state == S_IDLE;

  wire hdr_ok  = in_valid[0];
  wire beat_ok = &in_valid;
  wire [31:0] w0 = in_data[31:0];

  // First state of the next opcode bit to handle (CONFIG, LOAD_WGT, LOAD_INP, COMPUTE).
  function [4:0] start_of(input [3:0] p);
    if (p[3]) start_of = S_CFG_K;
    else if (p[0]) start_of = S_LW_NBLK;
    else if (p[1]) start_of = S_LI_NB;
    else if (p[2]) start_of = S_CMP_ROWS;
    else start_of = S_IDLE;
  endfunction
  function [3:0] without_first(input [3:0] p);
    if (p[3]) without_first = {1'b0, p[2:0]};
    else if (p[0]) without_first = {p[3:1], 1'b0};
    else if (p[1]) without_first = {p[3:2], 1'b0, p[0]};
    else without_first = 4'd0;
  endfunction

  // End of one opcode bit: wait `extra` cycles, then the next bit (or IDLE).
  task finish(input [CNT_W-1:0] extra);
    begin
      if (extra != NONE_X) begin
        state    <= S_WAIT;
        wait_cnt <= extra - 1'b1;
      end else begin
        state   <= start_of(pending);
        pending <= without_first(pending);
      end
    end
  endtask

  // Next unit in rotation after a block; a new slot after unit V-1.
  task next_block_unit(input integer advance_lines);
    begin
      if (unit == LAST_UNIT) begin
        unit <= {UID_W{1'b0}};
        slot <= slot + 1'b1;
        if (advance_lines != 0) slot_base <= slot_base + wpb[W_AW-1:0];
      end else begin
        unit <= unit + 1'b1;
      end
    end
  endtask

  always @(*) begin
    in_pop = 4'b0000;
    case (state)
      S_IDLE, S_CFG_K, S_CFG_ZP, S_LI_NB, S_LI_STRIPS, S_LW_NBLK, S_LW_WPB, S_LW_DIV, S_LW_MOD, S_LW_WPB2,
      S_CMP_ROWS, S_CMP_COLS, S_LW_EPI_S:
        in_pop = {3'b000, hdr_ok};
      S_LI_DATA, S_LW_DATA, S_LW_EPI_B, S_LW_EPI_M:
        in_pop = beat_ok ? 4'b1111 : 4'b0000;
`ifdef POTACC_X
      S_DW_GEO, S_LI_SROWS, S_LI_SPITCH:
        in_pop = {3'b000, hdr_ok};
      S_LI_SDATA:
        in_pop = beat_ok ? 4'b1111 : 4'b0000;
`endif
      default: in_pop = 4'b0000;
    endcase
  end

  always @(*) begin
    case (state)
      S_IDLE: state_code = 3'd1;
      S_CFG_K, S_CFG_ZP: state_code = 3'd2;
`ifdef POTACC_X
      S_DW_GEO: state_code = 3'd2;
`endif
      S_CMP_ROWS, S_CMP_COLS, S_CMP_DELAY, S_CMP_RUN: state_code = 3'd4;
      default: state_code = 3'd3;
    endcase
  end

  always @(posedge clk) begin
    gib_we   <= 1'b0;
    w_we     <= {UNITS{1'b0}};
    epi_we_b <= {UNITS{1'b0}};
    epi_we_m <= {UNITS{1'b0}};
    epi_we_s <= {UNITS{1'b0}};
    go       <= 1'b0;
`ifdef POTACC_X
    sl_we    <= {UNITS{1'b0}};
`endif
    if (rst) begin
      state   <= S_IDLE;
      pending <= 4'd0;
      cfg_d   <= {CNT_W{1'b0}};
      cfg_lines <= {CNT_W{1'b0}};
      cfg_zp  <= 32'd0;
`ifdef POTACC_X
      cfg_dw    <= 1'b0;
      psum_mode <= 2'd0;
`endif
    end else begin
      case (state)
        S_IDLE:
          if (hdr_ok) begin
`ifdef POTACC_X
            state   <= start_of(op_bits);
            pending <= without_first(op_bits);
            dw_next <= w0[4];
            psum_mode <= w0[9:8];
            if (op_bits == 4'd0 && NOP_X != NONE_X) begin
`else
            state   <= start_of(w0[3:0]);
            pending <= without_first(w0[3:0]);
            if (w0[3:0] == 4'd0 && NOP_X != NONE_X) begin
`endif
              state    <= S_WAIT;
              wait_cnt <= NOP_X - 1'b1;
            end
          end
        S_WAIT:
          if (wait_cnt == {CNT_W{1'b0}}) begin
            state   <= start_of(pending);
            pending <= without_first(pending);
          end else begin
            wait_cnt <= wait_cnt - 1'b1;
          end
        // ---- CONFIG
        S_CFG_K:
          if (hdr_ok) begin
            cfg_d     <= w0[CNT_W+1:2];
            cfg_lines <= w0[CNT_W+1:2] >> LINES_SHIFT;
            state     <= S_CFG_ZP;
          end
        S_CFG_ZP:
          if (hdr_ok) begin
            cfg_zp <= w0;
`ifdef POTACC_X
            cfg_dw <= dw_next;
            geo_i  <= 3'd0;
            if (dw_next) state <= S_DW_GEO;
            else finish(CONFIG_X);
`else
            finish(CONFIG_X);
`endif
          end
`ifdef POTACC_X
        S_DW_GEO:
          if (hdr_ok) begin
            geo_i <= geo_i + 1'b1;
            case (geo_i)
              3'd0: g_kh <= w0[CNT_W-1:0];
              3'd1: cfg_kw <= w0[CNT_W-1:0];
              3'd2: cfg_stride_h <= w0[CNT_W-1:0];
              3'd3: begin
                cfg_stride_w <= w0[CNT_W-1:0];
                cfg_sshift   <= w0[2] ? 2'd2 : w0[1] ? 2'd1 : 2'd0;   // 1, 2, 4 (the driver's limit)
              end
              3'd4: cfg_dil_h <= w0[CNT_W-1:0];
              3'd5: cfg_dil_w <= w0[CNT_W-1:0];
              3'd6: g_pitch <= w0[CNT_W-1:0];
              default: begin  // out_w: the derived constants (one multiply each, once per layer)
                cfg_out_w    <= w0[CNT_W-1:0];
                cfg_taps     <= g_kh * cfg_kw;
                cfg_tap_jump <= cfg_dil_h * g_pitch - {{(32-CNT_W){1'b0}}, cfg_kw - 1'b1} * cfg_dil_w;
                cfg_row_jump <= cfg_stride_h * g_pitch - {{(32-CNT_W){1'b0}}, w0[CNT_W-1:0] - 1'b1} * cfg_stride_w;
                finish(CONFIG_X);
              end
            endcase
          end
`endif
        // ---- LOAD_INP
        S_LI_NB:
          if (hdr_ok) begin
            count <= w0;
            state <= S_LI_STRIPS;
          end
        S_LI_STRIPS:
          if (hdr_ok) begin
            gib_waddr <= {GIB_AW{1'b1}};  // first beat goes to address 0
`ifdef POTACC_X
            if (cfg_dw) state <= S_LI_SROWS;
            else if (count == 32'd0) finish(LOAD_INPUT_X);
`else
            if (count == 32'd0) finish(LOAD_INPUT_X);
`endif
            else state <= S_LI_DATA;
          end
`ifdef POTACC_X
        S_LI_SROWS:
          if (hdr_ok) begin
            slab_rows <= w0[CNT_W-1:0];
            state     <= S_LI_SPITCH;
          end
        S_LI_SPITCH:  // the pitch word repeats CONFIG_DW's
          if (hdr_ok) begin
            // beats per block: slab_rows * pitch words in whole groups of 4 << sshift
            slab_bpb <= slab_beats[CNT_W-1:0];
            sl_beat  <= {CNT_W{1'b0}};
            sl_base  <= {LI_AW{1'b0}};
            unit     <= {UID_W{1'b0}};
            if (count == 32'd0) finish(LOAD_INPUT_X);
            else state <= S_LI_SDATA;
          end
        S_LI_SDATA:
          if (beat_ok) begin
            sl_we[unit] <= 1'b1;
            sl_waddr    <= sl_base + sl_beat[LI_AW-1:0];
            gib_wdata   <= in_data;
            count       <= count - 1'b1;
            if (sl_beat == slab_bpb - 1'b1) begin
              sl_beat <= {CNT_W{1'b0}};
              if (unit == LAST_UNIT) begin
                unit    <= {UID_W{1'b0}};
                sl_base <= sl_base + slab_bpb[LI_AW-1:0];
              end else begin
                unit <= unit + 1'b1;
              end
            end else begin
              sl_beat <= sl_beat + 1'b1;
            end
            if (count == 32'd1) finish(LOAD_INPUT_X);
          end
`endif
        S_LI_DATA:
          if (beat_ok) begin
            gib_we    <= 1'b1;
            gib_waddr <= gib_waddr + 1'b1;
            gib_wdata <= in_data;
            count     <= count - 1'b1;
            if (count == 32'd1) finish(LOAD_INPUT_X);
          end
        // ---- LOAD_WGT
        S_LW_NBLK:
          if (hdr_ok) begin
            nblk  <= w0[CNT_W-1:0];
            state <= S_LW_WPB;
          end
        S_LW_WPB:
          if (hdr_ok) begin
            wpb   <= w0[CNT_W-1:0];
            state <= S_LW_DIV;
          end
        S_LW_DIV:
          if (hdr_ok) state <= S_LW_MOD;
        S_LW_MOD:
          if (hdr_ok) state <= S_LW_WPB2;
        S_LW_WPB2:
          if (hdr_ok) begin
            unit      <= {UID_W{1'b0}};
            slot      <= {WS_AW{1'b0}};
            slot_base <= {W_AW{1'b0}};
            count     <= 32'd0;
            blk_left  <= nblk;
            if (nblk == {CNT_W{1'b0}}) finish(LOAD_WEIGHT_X);
            else if (wpb == {CNT_W{1'b0}}) state <= S_LW_EPI_B;
            else state <= S_LW_DATA;
          end
        S_LW_DATA:
          if (beat_ok) begin
            w_we[unit] <= 1'b1;
            w_waddr    <= slot_base + count[W_AW-1:0];
            w_wdata    <= in_data;
            if (count[CNT_W-1:0] == wpb - 1'b1) begin
              count <= 32'd0;
              next_block_unit(1);
              blk_left <= blk_left - 1'b1;
              if (blk_left == {{(CNT_W-1){1'b0}}, 1'b1}) begin
                unit     <= {UID_W{1'b0}};
                slot     <= {WS_AW{1'b0}};
                blk_left <= nblk;
                state    <= S_LW_EPI_B;
              end
            end else begin
              count <= count + 1'b1;
            end
          end
        S_LW_EPI_B:
          if (beat_ok) begin
            epi_we_b[unit] <= 1'b1;
            epi_waddr      <= slot;
            epi_wdata      <= in_data;
            state          <= S_LW_EPI_M;
          end
        S_LW_EPI_M:
          if (beat_ok) begin
            epi_we_m[unit] <= 1'b1;
            epi_waddr      <= slot;
            epi_wdata      <= in_data;
            state          <= S_LW_EPI_S;
          end
        S_LW_EPI_S:
          if (hdr_ok) begin
            epi_we_s[unit] <= 1'b1;
            epi_waddr      <= slot;
            epi_wdata      <= {96'd0, w0};
            next_block_unit(0);
            blk_left <= blk_left - 1'b1;
            if (blk_left == {{(CNT_W-1){1'b0}}, 1'b1}) finish(LOAD_WEIGHT_X);
            else state <= S_LW_EPI_B;
          end
        // ---- COMPUTE
        S_CMP_ROWS:
          if (hdr_ok) begin
`ifdef POTACC_X
            cmp_rows <= w0[CNT_W-1:0];
`endif
            strips <= (w0[CNT_W-1:0] + {{(CNT_W-2){1'b0}}, 2'd3}) >> 2;
            state  <= S_CMP_COLS;
          end
        S_CMP_COLS:
          if (hdr_ok) begin
            blocks <= w0[CNT_W+1:2];
            if (COMPUTE_X != NONE_X) begin
              state    <= S_CMP_DELAY;
              wait_cnt <= COMPUTE_X - 1'b1;
            end else begin
              go    <= 1'b1;
              state <= S_CMP_RUN;
            end
          end
        S_CMP_DELAY:
          if (wait_cnt == {CNT_W{1'b0}}) begin
            go    <= 1'b1;
            state <= S_CMP_RUN;
          end else begin
            wait_cnt <= wait_cnt - 1'b1;
          end
        S_CMP_RUN:
          if (sched_done) finish(NONE_X);
        default: state <= S_IDLE;
      endcase
    end
  end
endmodule
