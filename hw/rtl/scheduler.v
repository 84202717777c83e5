// Scheduler (reference §2.6): one COMPUTE(rows, cols) command.
//
//   for each strip g:
//     poll every unit until it is ready (one unit per POLL_CYCLES)
//     broadcast the strip GIB[g*d .. g*d+d-1] to every unit's local input
//       buffer (BCAST_SETUP + BCAST_PER_BEAT * d cycles)
//     after DISPATCH_TO_START cycles, for each block b (unit u = b mod V):
//       wait until u is ready; raise compute[u] (slot = b div V) until u
//       acknowledges (ready falls); push u to the Arranger's FIFO (waits
//       while it holds ARR_DEPTH ids); DISPATCH_GAP cycles per dispatch
//   poll every unit again; ask the next unit in rotation for its end marker
//   (send_done), wait for ppu_done, push that unit to the Arranger; done.
//
// Every wait is a cycle count from the configuration (generated parameters);
// the state machine is the clock-by-clock model of src/accel/timing_cycle.cc
// (registers = its one-cycle-delayed signals), so the RTL's COMPUTE cycles
// equal the simulator's.
//
// Hook for further modes (e.g. a depthwise mode): the dispatch loop
// (S_WREADY .. S_AFTER) issues one tile per (strip, block) and passes the tile's
// parameters (disp_slot, disp_wbase) beside compute[u]; a new mode adds its own
// loop states that dispatch with its own parameters on the same handshake,
// and leaves the poll / broadcast / tail states as they are. The unit and the
// Arranger do not depend on the order of dispatches.
module scheduler #(
  parameter integer UNITS             = 4,
  parameter integer CNT_W             = 16,
  parameter integer GIB_AW            = 13,
  parameter integer LI_AW             = 11,
  parameter integer W_AW              = 11,
  parameter integer WS_AW             = 7,
  parameter integer ARR_DEPTH         = 16,
  // waits in cycles, each >= 1 (generated; see potacc::hw::AccelRtlParams)
  parameter integer START_WAIT        = 1,   // scheduler_start_cycles
  parameter integer POLL_WAIT         = 1,   // ready_poll_cycles_per_unit
  parameter integer BCAST_SETUP       = 1,   // broadcast_setup_cycles
  parameter integer BCAST_PER_BEAT    = 3,   // broadcast_cycles_per_beat
  parameter integer DDELAY_WAIT       = 2,   // dispatch_to_start
  parameter integer AFTER_LAST_WAIT   = 1,   // after the last dispatch of a strip
  parameter integer AFTER_NEXT_WAIT   = 3,   // after a dispatch, before the next one
  parameter integer UID_W             = UNITS > 1 ? $clog2(UNITS) : 1   // unit id width (derived)
`ifdef POTACC_X
  , parameter integer DW_SETUP        = 1   // dw_strip_setup_cycles (potacc-x depthwise mode)
`endif
) (
  input  wire                 clk,
  input  wire                 rst,
  input  wire                 go,
  input  wire [CNT_W-1:0]     strips,
  input  wire [CNT_W-1:0]     blocks,
  input  wire [CNT_W-1:0]     d,          // depth steps per tile
  input  wire [CNT_W-1:0]     lines,      // weight lines per block
  input  wire [UNITS-1:0]     unit_ready,
  input  wire [UNITS-1:0]     ppu_done,
  output reg  [UNITS-1:0]     compute,
  output reg  [UNITS-1:0]     send_done,
  output reg  [WS_AW-1:0]     disp_slot,
  output reg  [W_AW-1:0]      disp_wbase,
  // broadcast: GIB read, local input buffer write (data = GIB read data)
  output reg                  gib_re,
  output reg  [GIB_AW-1:0]    gib_raddr,
  output reg                  li_we,
  output reg  [LI_AW-1:0]     li_waddr,
  // Arranger id FIFO
  input  wire                 arr_full,
  output wire                 arr_push,   // the id enters the FIFO at this cycle's edge
  output wire [UID_W-1:0]     arr_id,
  output reg                  done,
  output reg  [3:0]           state
`ifdef POTACC_X
  // potacc-x depthwise mode: no strip broadcast (each unit holds its blocks'
  // slabs); a dispatch also carries the block's first slab beat (slot * bpb),
  // and the pixel walker (dw_pixels.v) moves on after a strip's last dispatch.
  // potacc-x depth splitting: tile_outputs = 0 for a COMPUTE whose tiles only
  // write partial sums (kFirst / kMiddle): no unit id goes to the Arranger.
  , input  wire               tile_outputs,
  input  wire                 dw,
  input  wire [CNT_W-1:0]     slab_bpb,
  output reg  [LI_AW-1:0]     disp_sbase,
  output wire                 strip_next
`endif
);
  localparam [3:0] S_IDLE = 4'd0, S_POLL = 4'd1, S_BCAST = 4'd2, S_DDELAY = 4'd3, S_WREADY = 4'd4,
                   S_WACK = 4'd5, S_AFTER = 4'd6, S_TPOLL = 4'd7, S_SENDDONE = 4'd8, S_WDONE = 4'd9,
                   S_TWRITE = 4'd10;

  reg [31:0]       wait_cnt;     // the scheduler acts when this is 0
  reg [UID_W-1:0]  u;            // unit polled / dispatched next
  reg [UID_W-1:0]  tail_u;       // next unit in rotation after the last dispatch (= blocks mod V)
  reg [CNT_W-1:0]  strips_left, blocks_left;
  reg [GIB_AW-1:0] strip_base;   // g * d
  reg [WS_AW-1:0]  slot;
  reg [W_AW-1:0]   wbase;        // slot * lines
`ifdef POTACC_X
  reg [LI_AW-1:0]  sbase;        // slot * slab_bpb
  assign strip_next = act && state == S_AFTER && (!arr_full || !tile_outputs) &&
                      blocks_left == {{(CNT_W-1){1'b0}}, 1'b1};
`endif

  // Broadcast engine: reads beat i at BCAST_SETUP + BCAST_PER_BEAT * i cycles
  // after S_BCAST; the local buffers write it one cycle later.
  reg              bc_on;
  reg [7:0]        bc_phase;
  reg [CNT_W-1:0]  bc_left;
  reg [GIB_AW-1:0] bc_addr;
  reg [LI_AW-1:0]  bc_i;

  wire act = wait_cnt == 32'd0;
  // Arranger FIFO write: visible to the Arranger in the next cycle, like the
  // model's FIFO writes (a registered push would add a cycle).
`ifdef POTACC_X
  assign arr_push = act && ((state == S_AFTER && tile_outputs) || state == S_TWRITE) && !arr_full;
`else
  assign arr_push = act && (state == S_AFTER || state == S_TWRITE) && !arr_full;
`endif
  assign arr_id   = u;
  /* verilator lint_off WIDTH */
  localparam [UID_W-1:0] LAST_U = UNITS - 1;
  localparam [7:0] BCAST_PHASE = BCAST_PER_BEAT - 1;
  localparam [7:0] SETUP_PHASE = BCAST_SETUP - 1;
  /* verilator lint_on WIDTH */
  wire last_unit = u == LAST_U;

  // BCAST_PER_BEAT * x as shifts and adds (a constant factor: no multiplier).
  function [31:0] per_beat(input [31:0] x);
    integer i;
    begin
      per_beat = 32'd0;
      for (i = 0; i < 9; i = i + 1)
        if (((BCAST_PER_BEAT >> i) & 1) != 0) per_beat = per_beat + (x << i);
    end
  endfunction

  task wait_for(input [31:0] cycles);  // act again `cycles` (>= 1) cycles later
    wait_cnt <= cycles - 1;
  endtask

  task advance_unit;
    begin
      if (last_unit) begin
        u     <= {UID_W{1'b0}};
        slot  <= slot + 1'b1;
        wbase <= wbase + lines[W_AW-1:0];
`ifdef POTACC_X
        sbase <= sbase + slab_bpb[LI_AW-1:0];
`endif
      end else begin
        u <= u + 1'b1;
      end
    end
  endtask

  always @(posedge clk) begin
    done     <= 1'b0;
    gib_re   <= 1'b0;
    li_we    <= 1'b0;
    if (rst) begin
      state     <= S_IDLE;
      wait_cnt  <= 32'd0;
      compute   <= {UNITS{1'b0}};
      send_done <= {UNITS{1'b0}};
      bc_on     <= 1'b0;
    end else begin
      // ---- broadcast engine
      li_we    <= gib_re;
      li_waddr <= bc_i;
      if (gib_re) bc_i <= bc_i + 1'b1;
      if (bc_on) begin
        if (bc_phase == 8'd0) begin
          gib_re    <= 1'b1;
          gib_raddr <= bc_addr;
          bc_addr   <= bc_addr + 1'b1;
          bc_left   <= bc_left - 1'b1;
          bc_phase  <= BCAST_PHASE;
          if (bc_left == {{(CNT_W-1){1'b0}}, 1'b1}) bc_on <= 1'b0;
        end else begin
          bc_phase <= bc_phase - 1'b1;
        end
      end
      // ---- control
      if (!act) begin
        wait_cnt <= wait_cnt - 1'b1;
      end else begin
        case (state)
          S_IDLE:
            if (go) begin
              u           <= {UID_W{1'b0}};
              tail_u      <= {UID_W{1'b0}};
              strips_left <= strips;
              strip_base  <= {GIB_AW{1'b0}};
              wait_for(START_WAIT);
              state       <= (strips == {CNT_W{1'b0}} || blocks == {CNT_W{1'b0}}) ? S_TPOLL : S_POLL;
            end
          S_POLL, S_TPOLL:
            if (unit_ready[u]) begin
              wait_for(POLL_WAIT);
              if (last_unit) begin
                u     <= state == S_POLL ? {UID_W{1'b0}} : tail_u;
                state <= state == S_POLL ? S_BCAST : S_SENDDONE;
              end else begin
                u <= u + 1'b1;
              end
            end
          S_BCAST: begin
`ifdef POTACC_X
            // depthwise: the window generators' set-up instead of the broadcast
            wait_for(dw ? DW_SETUP : BCAST_SETUP + per_beat({{(32-CNT_W){1'b0}}, d}));
            bc_on       <= !dw && d != {CNT_W{1'b0}};
            sbase       <= {LI_AW{1'b0}};
`else
            wait_for(BCAST_SETUP + per_beat({{(32-CNT_W){1'b0}}, d}));
            bc_on       <= d != {CNT_W{1'b0}};
`endif
            bc_phase    <= SETUP_PHASE;
            bc_left     <= d;
            bc_addr     <= strip_base;
            bc_i        <= {LI_AW{1'b0}};
            strip_base  <= strip_base + d[GIB_AW-1:0];
            blocks_left <= blocks;
            slot        <= {WS_AW{1'b0}};
            wbase       <= {W_AW{1'b0}};
            state       <= S_DDELAY;
          end
          S_DDELAY: begin
            wait_for(DDELAY_WAIT);
            state <= S_WREADY;
          end
          S_WREADY:
            if (unit_ready[u]) begin
              compute[u] <= 1'b1;
              disp_slot  <= slot;
              disp_wbase <= wbase;
`ifdef POTACC_X
              disp_sbase <= sbase;
`endif
              state      <= S_WACK;
            end
          S_WACK:
            if (!unit_ready[u]) begin
              compute[u] <= 1'b0;
              state      <= S_AFTER;
            end
          S_AFTER:
`ifdef POTACC_X
            if (!arr_full || !tile_outputs) begin
`else
            if (!arr_full) begin
`endif
              blocks_left <= blocks_left - 1'b1;
              tail_u      <= last_unit ? {UID_W{1'b0}} : u + 1'b1;
              advance_unit;
              if (blocks_left == {{(CNT_W-1){1'b0}}, 1'b1}) begin
                wait_for(AFTER_LAST_WAIT);
                strips_left <= strips_left - 1'b1;
                u           <= {UID_W{1'b0}};
                state       <= strips_left == {{(CNT_W-1){1'b0}}, 1'b1} ? S_TPOLL : S_POLL;
              end else begin
                wait_for(AFTER_NEXT_WAIT);
                state <= S_WREADY;
              end
            end
          S_SENDDONE: begin
            send_done[u] <= 1'b1;
            state        <= S_WDONE;
          end
          S_WDONE:
            if (ppu_done[u]) begin
              send_done[u] <= 1'b0;
              state        <= S_TWRITE;
            end
          S_TWRITE:
            if (!arr_full) begin
              done     <= 1'b1;
              state    <= S_IDLE;
            end
          default: state <= S_IDLE;
        endcase
      end
    end
  end
endmodule
